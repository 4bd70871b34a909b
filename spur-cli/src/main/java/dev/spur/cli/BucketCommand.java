package dev.spur.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spur bucket}: S3-compatible buckets on a running Spur, over S3's REST API (what {@code aws s3}
 * and the SDKs use). For objects, use {@code aws s3 --endpoint-url}.
 */
@Command(
        name = "bucket",
        mixinStandardHelpOptions = true,
        description = "Create, list and delete S3-compatible buckets.",
        subcommands = {BucketCommand.Create.class, BucketCommand.ListBuckets.class, BucketCommand.Remove.class})
final class BucketCommand {
    private static final Pattern BUCKET =
            Pattern.compile("<Bucket><Name>([^<]*)</Name><CreationDate>([^<]*)</CreationDate></Bucket>");
    private static final Pattern CONTENTS =
            Pattern.compile("<Contents><Key>([^<]*)</Key><LastModified>([^<]*)</LastModified>.*?<Size>(\\d+)</Size>");

    abstract static class OnSpur implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EndpointOption endpoint;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a bucket.")
    static final class Create extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            endpoint.client().s3("PUT", "/" + name);
            out().println(name);
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List buckets, or with NAME the first 1,000 objects of that bucket.")
    static final class ListBuckets extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME", arity = "0..1")
        String name;

        @Override
        public Integer call() {
            List<List<String>> rows = new ArrayList<>();
            if (name == null) {
                rows.add(List.of("NAME", "CREATED"));
                Matcher m = BUCKET.matcher(endpoint.client().s3("GET", "/"));
                while (m.find()) {
                    rows.add(List.of(unescape(m.group(1)), m.group(2)));
                }
            } else {
                rows.add(List.of("KEY", "SIZE", "MODIFIED"));
                Matcher m = CONTENTS.matcher(endpoint.client().s3("GET", "/" + name + "?list-type=2"));
                while (m.find()) {
                    rows.add(List.of(unescape(m.group(1)), m.group(3), m.group(2)));
                }
            }
            Output.table(out(), rows);
            out().flush();
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete an empty bucket.")
    static final class Remove extends OnSpur {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            endpoint.client().s3("DELETE", "/" + name);
            return 0;
        }
    }

    static String unescape(String xml) {
        return xml.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&#13;", "\r")
                .replace("&#10;", "\n")
                .replace("&amp;", "&");
    }
}
