package dev.handover.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import dev.handover.testing.ServiceProcess;

/**
 * The Kubernetes manifests and the compose file: they parse, every reference resolves (kustomize resources,
 * ConfigMap and Secret names and keys, volumes, service selectors and ports, probe paths, ingress backends,
 * autoscaler and disruption-budget targets), and every environment variable set for our services is one
 * they read (an {@code ${ENV}} or a property of their application.properties, or Quarkus' own).
 */
class DeploymentManifestsTest {

    private static final Path ROOT = ServiceProcess.root();
    private static final List<String> SERVICES = List.of("customer-service", "realtime-gateway", "messenger-bridge");

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml().loadAll(Files.readString(file))) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    /** Every resource of a kustomization, following nested kustomizations. */
    private static List<Map<String, Object>> kustomize(Path dir) throws IOException {
        Map<String, Object> kustomization = documents(dir.resolve("kustomization.yaml")).get(0);
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Object entry : list(kustomization.get("resources"))) {
            Path resource = dir.resolve((String) entry).normalize();
            assertTrue(Files.exists(resource), dir + " names a missing resource " + entry);
            resources.addAll(Files.isDirectory(resource) ? kustomize(resource) : documents(resource));
        }
        for (Object patch : list(kustomization.get("patches"))) {
            Path file = dir.resolve((String) map(patch).get("path"));
            assertTrue(Files.exists(file), dir + " names a missing patch " + file);
            for (Map<String, Object> patched : documents(file)) {
                assertTrue(resources.stream().anyMatch(r -> r.get("kind").equals(patched.get("kind"))
                        && name(r).equals(name(patched))), file + " patches nothing: " + name(patched));
            }
        }
        return resources;
    }

    @Test
    void everyOverlayBuildsFromResourcesThatAllResolve() throws IOException {
        for (String overlay : List.of("base", "overlays/dev", "overlays/prod")) {
            List<Map<String, Object>> resources = kustomize(ROOT.resolve("k8s").resolve(overlay));
            assertFalse(resources.isEmpty(), overlay);
            checkReferences(overlay, resources);
        }
    }

    private void checkReferences(String overlay, List<Map<String, Object>> resources) throws IOException {
        Map<String, Set<String>> configMaps = new HashMap<>();
        Map<String, Set<String>> secrets = new HashMap<>();
        for (Map<String, Object> r : resources) {
            if ("ConfigMap".equals(r.get("kind"))) {
                configMaps.put(name(r), map(r.get("data")).keySet());
            } else if ("Secret".equals(r.get("kind"))) {
                secrets.put(name(r), map(r.get("stringData")).keySet());
            }
        }
        Set<String> readByServices = envReadByServices();
        Map<String, Map<String, Object>> deployments = new HashMap<>();
        for (Map<String, Object> r : resources) {
            if (!"Deployment".equals(r.get("kind"))) {
                continue;
            }
            deployments.put(name(r), r);
            Map<String, Object> spec = map(r.get("spec"));
            Map<String, Object> podLabels = map(map(map(spec.get("template")).get("metadata")).get("labels"));
            assertTrue(podLabels.entrySet().containsAll(map(map(spec.get("selector")).get("matchLabels")).entrySet()),
                    overlay + ": selector of " + name(r) + " does not match its pods");
            Map<String, Object> pod = map(map(spec.get("template")).get("spec"));
            Set<String> volumes = new HashSet<>();
            for (Object v : list(pod.get("volumes"))) {
                Map<String, Object> volume = map(v);
                volumes.add((String) volume.get("name"));
                Map<String, Object> secret = map(volume.get("secret"));
                if (!secret.isEmpty()) {
                    String secretName = (String) secret.get("secretName");
                    assertTrue(secrets.containsKey(secretName), overlay + ": no Secret " + secretName);
                    for (Object item : list(secret.get("items"))) {
                        assertTrue(secrets.get(secretName).contains(map(item).get("key")), overlay + ": no key "
                                + map(item).get("key") + " in " + secretName);
                    }
                }
            }
            for (Object c : list(pod.get("containers"))) {
                Map<String, Object> container = map(c);
                Set<Object> ports = new HashSet<>();
                for (Object p : list(container.get("ports"))) {
                    ports.add(map(p).get("name"));
                    ports.add(map(p).get("containerPort"));
                }
                for (Object e : list(container.get("env"))) {
                    Map<String, Object> env = map(e);
                    String var = (String) env.get("name");
                    assertTrue(readByServices.contains(var) || var.startsWith("QUARKUS_"),
                            overlay + ": " + name(r) + " sets " + var + ", which no service reads");
                    Map<String, Object> from = map(env.get("valueFrom"));
                    checkKeyRef(overlay, map(from.get("configMapKeyRef")), configMaps, "ConfigMap");
                    checkKeyRef(overlay, map(from.get("secretKeyRef")), secrets, "Secret");
                }
                for (Object m : list(container.get("volumeMounts"))) {
                    assertTrue(volumes.contains(map(m).get("name")), overlay + ": no volume " + map(m).get("name"));
                }
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
                    if (!map(container.get(probe)).isEmpty()) {
                        assertTrue(((String) get.get("path")).startsWith("/q/health/"), overlay + ": " + probe + " path");
                        assertTrue(ports.contains(get.get("port")), overlay + ": " + probe + " port " + get.get("port"));
                    }
                }
            }
        }
        assertEquals(Set.copyOf(SERVICES), deployments.keySet(), overlay + ": one Deployment per service");
        Map<String, Map<String, Object>> services = new HashMap<>();
        for (Map<String, Object> r : resources) {
            if ("Service".equals(r.get("kind"))) {
                services.put(name(r), r);
                Map<String, Object> spec = map(r.get("spec"));
                Map<String, Object> target = deployments.values().stream().filter(d -> map(map(map(map(d.get("spec"))
                        .get("template")).get("metadata")).get("labels")).entrySet().containsAll(map(spec.get("selector"))
                        .entrySet())).findFirst().orElseThrow(() -> new AssertionError(overlay + ": Service " + name(r)
                        + " selects no Deployment"));
                for (Object p : list(spec.get("ports"))) {
                    Object targetPort = map(p).get("targetPort");
                    assertTrue(containerPorts(target).contains(targetPort), overlay + ": Service " + name(r)
                            + " targets port " + targetPort + " that its pods do not have");
                }
            }
        }
        for (Map<String, Object> r : resources) {
            String kind = (String) r.get("kind");
            if ("Ingress".equals(kind)) {
                for (Object rule : list(map(r.get("spec")).get("rules"))) {
                    for (Object path : list(map(map(rule).get("http")).get("paths"))) {
                        String route = (String) map(path).get("path");
                        boolean prefix = "Prefix".equals(map(path).get("pathType"));
                        // nothing internal is public: /q/* (metrics, health, OpenAPI), the sandbox, page connections
                        assertFalse(prefix && "/".equals(route), overlay + ": Ingress routes every path");
                        assertFalse(route.startsWith("/q") || route.startsWith("/sandbox")
                                || route.startsWith("/api/admin/page-connections"), overlay + ": Ingress routes " + route);
                        Map<String, Object> backend = map(map(map(path).get("backend")).get("service"));
                        Map<String, Object> service = services.get(backend.get("name"));
                        assertTrue(service != null, overlay + ": Ingress backend " + backend.get("name"));
                        Object port = map(backend.get("port")).get("name");
                        assertTrue(list(map(service.get("spec")).get("ports")).stream()
                                .anyMatch(p -> port.equals(map(p).get("name"))), overlay + ": Ingress port " + port);
                    }
                }
            } else if ("HorizontalPodAutoscaler".equals(kind)) {
                assertTrue(deployments.containsKey(map(map(r.get("spec")).get("scaleTargetRef")).get("name")),
                        overlay + ": HPA " + name(r) + " scales nothing");
            } else if ("PodDisruptionBudget".equals(kind)) {
                Map<String, Object> labels = map(map(map(r.get("spec")).get("selector")).get("matchLabels"));
                assertTrue(deployments.values().stream().anyMatch(d -> map(map(map(map(d.get("spec")).get("template"))
                        .get("metadata")).get("labels")).entrySet().containsAll(labels.entrySet())),
                        overlay + ": PDB " + name(r) + " selects nothing");
            } else if ("KafkaTopic".equals(kind)) {
                Map<String, Object> spec = map(r.get("spec"));
                assertTrue((Integer) spec.get("partitions") > 0 && map(spec.get("config")).containsKey("retention.ms"),
                        overlay + ": topic " + name(r) + " states partitions and retention");
            }
        }
        Set<String> topics = new HashSet<>();
        resources.stream().filter(r -> "KafkaTopic".equals(r.get("kind"))).forEach(r -> topics.add(name(r)));
        assertEquals(Set.of("messenger.inbound", "messenger.outbound", "messenger.delivery", "customer.events",
                "messenger.inbound.dlq", "messenger.delivery.dlq", "staff.typing", "staff.presence"), topics);
    }

    /**
     * The Ingress routes every public path to the service that serves it, with the longest-match rule of ingress
     * controllers: each REST resource of customer-service and the gateway (read from their {@code @Path}s), the
     * console's files (read from its page) and the two agent sockets; and it routes no internal path anywhere.
     */
    @Test
    void theIngressRoutesEveryPublicPathToItsServiceAndNoInternalOne() throws IOException {
        List<Object> rules = list(map(map(list(map(kustomize(ROOT.resolve("k8s/base")).stream()
                .filter(r -> "Ingress".equals(r.get("kind"))).findFirst().orElseThrow().get("spec")).get("rules")).get(0))
                .get("http")).get("paths"));
        Map<String, String> expected = new HashMap<>();
        restPaths("customer-service").forEach(path -> expected.put(path, "customer-service"));
        restPaths("realtime-gateway").forEach(path -> expected.put(path, "realtime-gateway"));
        String page = Files.readString(ROOT.resolve("realtime-gateway/src/main/resources/META-INF/resources/index.html"));
        Matcher assets = Pattern.compile("(?:src|href)=\"([^\"/:][^\":]*)\"").matcher(page);
        while (assets.find()) {
            expected.put("/" + assets.group(1), "realtime-gateway");
        }
        expected.put("/", "realtime-gateway");
        expected.put("/api/dashboard/ws", "realtime-gateway");
        expected.put("/socket.io/", "realtime-gateway");
        expected.put("/webhook", "messenger-bridge");
        assertTrue(expected.size() > 20, "found " + expected);
        expected.forEach((path, service) -> assertEquals(service, routed(rules, path), "the Ingress routes " + path));
        for (String internal : List.of("/q/metrics", "/q/health/ready", "/q/openapi", "/sandbox/pages/p/bot",
                "/sandbox/graph/v21.0/me")) {
            assertEquals(null, routed(rules, internal), "the Ingress routes " + internal);
        }
        assertFalse("messenger-bridge".equals(routed(rules, "/api/admin/page-connections/p")));
    }

    /** Every path a service's JAX-RS resources answer, their templates filled with a letter. */
    private static List<String> restPaths(String service) throws IOException {
        List<String> paths = new ArrayList<>();
        Pattern annotation = Pattern.compile("@Path\\(\"([^\"]*)\"\\)");
        try (var files = Files.walk(ROOT.resolve(service).resolve("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith("Resource.java")).toList()) {
                String source = Files.readString(file);
                int type = source.indexOf("public class");
                Matcher found = annotation.matcher(source);
                String root = null;
                while (found.find()) {
                    String path = found.group(1).replaceAll("\\{[^}]*}", "x");
                    if (found.start() < type) {
                        root = path;
                        if (root.indexOf('/', 1) > 0) {
                            paths.add(root); // a resource, not a bare namespace such as /api
                        }
                    } else if (root != null) {
                        paths.add(root + path);
                    }
                }
            }
        }
        return paths;
    }

    /** The service an ingress controller sends {@code path} to: an Exact rule, else the longest Prefix by segments. */
    private static String routed(List<Object> rules, String path) {
        String service = null;
        int longest = -1;
        for (Object rule : rules) {
            String route = (String) map(rule).get("path");
            boolean exact = "Exact".equals(map(rule).get("pathType"));
            String name = (String) map(map(map(rule).get("backend")).get("service")).get("name");
            if (exact && route.equals(path)) {
                return name;
            }
            String prefix = route.endsWith("/") ? route : route + "/";
            if (!exact && (path.equals(route) || path.startsWith(prefix)) && route.length() > longest) {
                longest = route.length();
                service = name;
            }
        }
        return service;
    }

    @Test
    void theComposeFileStartsEverythingInOrderWithSettingsTheServicesRead() throws IOException {
        Map<String, Object> compose = documents(ROOT.resolve("docker-compose.yml")).get(0);
        Map<String, Object> services = map(compose.get("services"));
        Set<String> readByServices = envReadByServices();
        for (String name : SERVICES) {
            Map<String, Object> service = map(services.get(name));
            assertFalse(service.isEmpty(), "compose has no " + name);
            Path dockerfile = ROOT.resolve((String) map(service.get("build")).get("context"))
                    .resolve((String) map(service.get("build")).get("dockerfile"));
            assertTrue(Files.readString(dockerfile).contains("USER 185"), dockerfile + " runs as non-root");
            for (String var : map(service.get("environment")).keySet()) {
                assertTrue(readByServices.contains(var) || var.startsWith("QUARKUS_"), name + " sets " + var
                        + ", which no service reads");
            }
            for (Map.Entry<String, Object> dependency : map(service.get("depends_on")).entrySet()) {
                assertTrue(services.containsKey(dependency.getKey()), name + " depends on a missing " + dependency.getKey());
                assertEquals("service_healthy", map(dependency.getValue()).get("condition"));
                assertFalse(map(map(services.get(dependency.getKey())).get("healthcheck")).isEmpty(),
                        dependency.getKey() + " has no healthcheck");
            }
            assertTrue(map(service.get("healthcheck")).get("test").toString().contains("/q/health/ready"));
            for (Object port : list(service.get("ports"))) {
                assertTrue(port.toString().startsWith("${HANDOVER_BIND_ADDRESS:-127.0.0.1}:"),
                        name + " publishes " + port + " beyond loopback by default");
            }
        }
    }

    /** Environment variables the services read: {@code ${ENV}} references and their properties in env form. */
    private static Set<String> envReadByServices() throws IOException {
        Set<String> read = new HashSet<>();
        Pattern reference = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
        for (String service : SERVICES) {
            for (String line : Files.readAllLines(ROOT.resolve(service).resolve("src/main/resources/application.properties"))) {
                if (line.isBlank() || line.startsWith("#") || !line.contains("=")) {
                    continue;
                }
                Matcher matcher = reference.matcher(line);
                while (matcher.find()) {
                    read.add(matcher.group(1));
                }
                String key = line.substring(0, line.indexOf('=')).replaceFirst("^%[a-z]+\\.", "");
                read.add(key.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
            }
        }
        return read;
    }

    private static void checkKeyRef(String overlay, Map<String, Object> ref, Map<String, Set<String>> sources, String kind) {
        if (ref.isEmpty()) {
            return;
        }
        Set<String> keys = sources.get(ref.get("name"));
        assertTrue(keys != null, overlay + ": no " + kind + " " + ref.get("name"));
        assertTrue(keys.contains(ref.get("key")), overlay + ": no key " + ref.get("key") + " in " + kind + " " + ref.get("name"));
    }

    private static Set<Object> containerPorts(Map<String, Object> deployment) {
        Set<Object> ports = new HashSet<>();
        for (Object c : list(map(map(map(deployment.get("spec")).get("template")).get("spec")).get("containers"))) {
            for (Object p : list(map(c).get("ports"))) {
                ports.add(map(p).get("name"));
                ports.add(map(p).get("containerPort"));
            }
        }
        return ports;
    }

    private static String name(Map<String, Object> resource) {
        return (String) map(resource.get("metadata")).get("name");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<Object> list(Object value) {
        return value instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }
}
