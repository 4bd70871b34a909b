package dev.spur.cli;

import dev.spur.auth.Credential;
import dev.spur.server.AccessKeyService;
import dev.spur.server.SpurServer;
import dev.spur.store.Database;
import dev.spur.store.MetadataStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spur keys}: access keys for {@code spur server --auth sigv4}. Works on the store directly — the
 * data directory's SQLite, or a fleet's PostgreSQL with {@code --database} — so it needs no key to make the
 * first key; running servers see the change through the change feed (within a second or two).
 */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = "Create, list and delete access keys (for `spur server --auth sigv4`).",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Delete.class})
final class KeysCommand {

    abstract static class OnDataDir implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--data-dir",
                description =
                        "The server's data directory (default: $SPUR_DATA_DIR, else /var/lib/spur for root, ~/.spur for others).")
        Path dataDir;

        @Option(
                names = "--database",
                description = "A fleet's shared PostgreSQL database (default: $SPUR_DATABASE_URL, else the data "
                        + "directory's SQLite); its keys are sealed with $SPUR_CLUSTER_KEY if the nodes are given "
                        + "one, else with the key kept in the database.")
        String database;

        <T> T withKeys(Function<AccessKeyService, T> work) {
            Optional<String> url = ServerCommand.databaseUrl(database);
            if (url.isPresent()) {
                try (Database db = Database.postgres(url.get());
                        MetadataStore store = MetadataStore.postgres(db)) {
                    return work.apply(SpurServer.keys(store, db, ServerCommand.clusterKey()));
                } catch (IllegalStateException e) {
                    throw CliException.usage("%s", e.getMessage());
                }
            }
            Path dir = (dataDir != null ? dataDir : SpurServer.Options.defaultDataDir()).toAbsolutePath();
            try (MetadataStore store = MetadataStore.sqlite(dir.resolve("spur.db"))) {
                return work.apply(SpurServer.keys(store, dir));
            }
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create a key for an account and print it; the secret is shown only this once.")
    static final class Create extends OnDataDir {
        @Option(names = "--account", required = true, description = "The 12-digit account the key acts as.")
        String account;

        @Override
        public Integer call() {
            if (account == null || !account.matches("\\d{12}")) {
                throw CliException.usage("--account must be 12 digits, got '%s'", account);
            }
            Credential key = withKeys(keys -> keys.create(account));
            PrintWriter out = out();
            out.println("AWS_ACCESS_KEY_ID=" + key.accessKeyId());
            out.println("AWS_SECRET_ACCESS_KEY=" + key.secretKey());
            out.println("# account " + key.account() + "; the secret is not stored in readable form and cannot be "
                    + "shown again");
            out.flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List keys (never their secrets).")
    static final class ListKeys extends OnDataDir {
        @Override
        public Integer call() {
            PrintWriter out = out();
            withKeys(keys -> {
                keys.list()
                        .forEach(
                                k -> out.printf("%-22s %s  created %s%n", k.accessKeyId(), k.account(), k.createdAt()));
                return null;
            });
            out.flush();
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete keys.")
    static final class Delete extends OnDataDir {
        @Parameters(arity = "1..*", paramLabel = "ACCESS_KEY_ID")
        List<String> ids;

        @Override
        public Integer call() {
            int exit = 0;
            for (String id : ids) {
                boolean deleted = withKeys(keys -> keys.delete(id));
                if (deleted) {
                    out().println("deleted " + id);
                } else {
                    spec.commandLine().getErr().println("no such key: " + id);
                    exit = 3;
                }
            }
            out().flush();
            return exit;
        }
    }
}
