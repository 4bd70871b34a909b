package dev.spur.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line describing where figures were measured: CPU, cores, memory, kernel, JDK. */
final class Machine {
    private Machine() {}

    static String describe() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse(cpu);
        } catch (IOException e) {
            // keep unknown
        }
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return "Machine: %s, %d vCPUs, %d GB RAM, %s %s, JDK %s"
                .formatted(
                        cpu,
                        Runtime.getRuntime().availableProcessors(),
                        Math.round(os.getTotalMemorySize() / 1e9),
                        System.getProperty("os.name"),
                        System.getProperty("os.version"),
                        Runtime.version());
    }
}
