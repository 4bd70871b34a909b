package dev.spur.bench;

import dev.spur.auth.Credential;
import java.io.PrintStream;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * What SigV4 costs a warm invoke: the platform overhead (client latency minus the REPORT Duration,
 * as in the main table) of one function on a Spur run with {@code --auth none}, unsigned, and of the
 * same function on a Spur run with {@code --auth sigv4}, every request signed by the client. The two
 * are measured alternately, request by request, so drift on a shared machine hits both alike.
 *
 * <p>The signed figure includes the client's signing (an SDK pays that too); it is also reported on
 * its own, so what remains is the server's verification.
 */
public final class SigV4Overhead {
    private SigV4Overhead() {}

    /**
     * @param noneP50  overhead p50 with authentication off, unsigned (ms)
     * @param sigv4P50 overhead p50 with SigV4 on, signed, signing included (ms)
     * @param signP50  the client's signing alone (ms)
     */
    public record Result(
            String runtime,
            int invokes,
            double noneP50,
            double noneP99,
            double sigv4P50,
            double sigv4P99,
            double signP50,
            double signP99) {}

    static Result measure(URI none, URI sigv4, Credential key, Functions.NoOp fn, int invokes, PrintStream log)
            throws Exception {
        log.println("== SigV4 verification (" + fn.label() + ")");
        Samples unsignedOverhead = new Samples();
        Samples signedOverhead = new Samples();
        Samples signing = new Samples();
        try (BenchClient plain = new BenchClient(none);
                BenchClient signed = new BenchClient(sigv4, Optional.of(key))) {
            String plainName = Bench.create(plain, fn);
            String signedName = Bench.create(signed, fn);
            for (int i = 0; i < Math.max(50, invokes / 10); i++) {
                Bench.invoke(plain, plainName, false);
                Bench.invoke(signed, signedName, false);
            }
            for (int i = 0; i < invokes; i++) {
                unsignedOverhead.add(overhead(plain, plainName));
                signedOverhead.add(overhead(signed, signedName));
                signing.add(signed.lastSignNanos());
            }
            Bench.delete(plain, plainName);
            Bench.delete(signed, signedName);
        }
        Result r = new Result(
                fn.label(),
                invokes,
                unsignedOverhead.percentileMillis(50),
                unsignedOverhead.percentileMillis(99),
                signedOverhead.percentileMillis(50),
                signedOverhead.percentileMillis(99),
                signing.percentileMillis(50),
                signing.percentileMillis(99));
        log.printf(
                "  overhead p50/p99: none %s/%s ms, sigv4 %s/%s ms (client signing p50 %s, p99 %s)%n",
                Samples.ms(r.noneP50()),
                Samples.ms(r.noneP99()),
                Samples.ms(r.sigv4P50()),
                Samples.ms(r.sigv4P99()),
                micros(r.signP50()),
                micros(r.signP99()));
        return r;
    }

    private static long overhead(BenchClient client, String name) throws Exception {
        long start = System.nanoTime();
        BenchClient.Response response = Bench.invoke(client, name, true);
        return System.nanoTime() - start - Bench.reportedDurationNanos(response);
    }

    static String markdown(Result r) {
        return "SigV4 verification: " + r.runtime() + ", warm, " + r.invokes()
                + " invokes each, the two servers alternating request by request.\n\n"
                + "| server auth | overhead p50 | overhead p99 |\n"
                + "|---|---:|---:|\n"
                + "| none, unsigned requests | " + Samples.ms(r.noneP50()) + " ms | " + Samples.ms(r.noneP99())
                + " ms |\n"
                + "| sigv4, signed requests | " + Samples.ms(r.sigv4P50()) + " ms | " + Samples.ms(r.sigv4P99())
                + " ms |\n"
                + "\nThe sigv4 row includes the client's signing (p50 " + micros(r.signP50()) + ", p99 "
                + micros(r.signP99()) + "), as an SDK's requests would.\n";
    }

    private static String micros(double millis) {
        return String.format(Locale.ROOT, "%.0f µs", millis * 1000);
    }
}
