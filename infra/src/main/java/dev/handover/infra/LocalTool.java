package dev.handover.infra;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The local stack's key and token tool, used by {@code ./handover}:
 * <pre>
 * LocalTool keys DIR                     make DIR/private.pem and DIR/public.pem once (RSA 2048)
 * LocalTool token DIR --agent ID --company ID [--name N] [--email E] [--role agent|admin] [--hours H]
 * </pre>
 */
public final class LocalTool {

    static final String ISSUER = "https://handover.dev";

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage("");
        }
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "keys" -> keys(dir);
            case "token" -> System.out.println(token(dir, options(args)));
            default -> usage("unknown command " + args[0]);
        }
    }

    static void keys(Path dir) throws Exception {
        Path privateKey = dir.resolve("private.pem");
        if (Files.exists(privateKey)) {
            return;
        }
        Files.createDirectories(dir);
        KeyPair pair = generate();
        Files.writeString(dir.resolve("public.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        Files.writeString(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        privateKey.toFile().setReadable(false, false);
        privateKey.toFile().setReadable(true, true);
    }

    static String token(Path dir, Map<String, String> options) throws Exception {
        String agent = required(options, "agent");
        String company = required(options, "company");
        String role = options.getOrDefault("role", "agent");
        if (!role.equals("agent") && !role.equals("admin")) {
            usage("--role is agent or admin");
        }
        List<String> groups = role.equals("admin") ? List.of("agent", "admin") : List.of("agent");
        var claims = new JwtSigner.Claims(ISSUER, agent, company, options.getOrDefault("name", agent),
                options.getOrDefault("email", agent + "@example.com"), groups);
        String pem = Files.readString(dir.resolve("private.pem"), StandardCharsets.US_ASCII);
        return JwtSigner.sign(claims, Duration.ofHours(Long.parseLong(options.getOrDefault("hours", "12"))),
                JwtSigner.privateKey(pem));
    }

    private static KeyPair generate() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                usage("options are --name value");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            usage("--" + name + " is required");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println((problem.isEmpty() ? "" : problem + "\n")
                + "usage: token --agent ID --company ID [--name N] [--email E] [--role agent|admin] [--hours H]");
        System.exit(64);
    }
}
