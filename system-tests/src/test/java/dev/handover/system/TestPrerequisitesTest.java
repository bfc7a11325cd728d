package dev.handover.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's test command checks what the suite needs before it builds anything. Each case runs
 * {@code ./handover prereqs} with a PATH holding only shell tools plus the fakes the case names; the package
 * manager and {@code sudo} are fakes that record their calls (they are the machine's, outside our system).
 */
class TestPrerequisitesTest {

    private static final List<String> SHELL_TOOLS = List.of("bash", "env", "dirname", "sed", "cat", "mktemp", "rm",
            "tail", "chmod", "touch", "true");
    private static final String ALL = "openjdk-17-jdk-headless nodejs npm chromium";

    @TempDir
    Path dir;
    private Path bin;
    private Path chromium;
    private Path aptLog;

    @BeforeEach
    void shellOnly() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        chromium = dir.resolve("chromium");
        aptLog = dir.resolve("apt.log");
        for (String tool : SHELL_TOOLS) {
            Path real = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream().filter(Files::isExecutable)
                    .findFirst().orElseThrow(() -> new IllegalStateException(tool + " not found"));
            script(tool, "exec " + real + " \"$@\"");
        }
        script("id", "echo \"$FAKE_UID\"");
        // The package manager: records each call and puts the packages' commands where the check looks.
        script("apt-get", """
                echo "$*" >> "$APT_LOG"
                [ "$1" = install ] || exit 0
                for p in "$@"; do
                  case "$p" in
                    openjdk-17-jdk-headless) printf '%s\\n' '#!/bin/bash' "echo 'openjdk version \\"17.0.9\\"' >&2" > "$FAKE_BIN/java" ;;
                    nodejs) echo '#!/bin/bash' > "$FAKE_BIN/node" ;;
                    npm) echo '#!/bin/bash' > "$FAKE_BIN/npm" ;;
                    chromium) echo '#!/bin/bash' > "$CHROMIUM" && chmod +x "$CHROMIUM" ;;
                  esac
                done
                chmod +x "$FAKE_BIN"/* """);
    }

    @Test
    void withoutPermissionItStopsAtOnceWithTheInstallLine() throws Exception {
        Result result = prereqs("1000");
        assertEquals(1, result.exit, result.output);
        assertTrue(result.output.contains("sudo apt-get update && sudo apt-get install -y " + ALL), result.output);
        assertTrue(result.millis < 5_000, "the check took " + result.millis + " ms");
        assertFalse(Files.exists(aptLog), "nothing may be installed without permission");
    }

    @Test
    void withPasswordlessSudoItInstallsWhatIsMissing() throws Exception {
        script("sudo", "[ \"$1\" = -n ] && shift; exec \"$@\"");
        Result result = prereqs("1000");
        assertEquals(0, result.exit, result.output);
        assertTrue(result.output.contains("installing " + ALL), result.output);
        assertEquals(List.of("update", "install -y " + ALL), Files.readAllLines(aptLog));
        assertTrue(Files.isExecutable(chromium));
    }

    @Test
    void asRootItInstallsOnlyWhatIsMissingAndAnOldJdkCountsAsMissing() throws Exception {
        script("java", "echo 'openjdk version \"11.0.20\" 2023-07-18' >&2");
        script("node", "");
        script("npm", "");
        Result result = prereqs("0");
        assertEquals(0, result.exit, result.output);
        assertEquals(List.of("update", "install -y openjdk-17-jdk-headless chromium"), Files.readAllLines(aptLog));
    }

    @Test
    void whenEverythingIsThereItInstallsNothing() throws Exception {
        script("java", "echo 'openjdk version \"17.0.15\" 2025-04-15' >&2");
        script("node", "");
        script("npm", "");
        Files.writeString(chromium, "#!/bin/bash\n");
        chromium.toFile().setExecutable(true);
        Result result = prereqs("0");
        assertEquals(0, result.exit, result.output);
        assertFalse(Files.exists(aptLog), "nothing to install: " + result.output);
    }

    @Test
    void aFailedInstallStopsWithTheInstallLine() throws Exception {
        script("apt-get", "echo 'E: Unable to locate package chromium' >&2; exit 100");
        Result result = prereqs("0");
        assertEquals(1, result.exit, result.output);
        assertTrue(result.output.contains("E: Unable to locate package chromium"), result.output);
        assertTrue(result.output.contains("run: sudo apt-get update && sudo apt-get install -y " + ALL), result.output);
    }

    private void script(String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.deleteIfExists(file);
        Files.writeString(file, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Result prereqs(String uid) throws Exception {
        Path handover = Path.of(System.getProperty("test.project.root"), "handover");
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", handover.toString(), "prereqs").redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", bin.toString(), "FAKE_UID", uid, "FAKE_BIN", bin.toString(),
                "CHROMIUM", chromium.toString(), "APT_LOG", aptLog.toString(), "TMPDIR", dir.toString()));
        long start = System.nanoTime();
        Process process = builder.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "./handover prereqs did not finish");
        String output = new String(process.getInputStream().readAllBytes());
        return new Result(process.exitValue(), output, (System.nanoTime() - start) / 1_000_000);
    }

    private record Result(int exit, String output, long millis) {
    }
}
