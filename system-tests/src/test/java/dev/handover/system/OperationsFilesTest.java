package dev.handover.system;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import dev.handover.testing.ServiceProcess;

/**
 * The operators' files kept honest: every metric an alert rule or a dashboard panel names is one the running
 * services expose at {@code /q/metrics} (so a renamed metric breaks the build, not the pager), every alert links
 * to a runbook section that exists, and the Prometheus Operator's {@code PrometheusRule} carries exactly the
 * plain rules file's groups.
 */
class OperationsFilesTest {

    private static final Path ROOT = ServiceProcess.root();
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    /** PromQL words that are not metric names: aggregations, functions, modifiers. */
    private static final Set<String> PROMQL = Set.of("sum", "max", "min", "avg", "count", "rate", "increase", "deriv",
            "histogram_quantile", "clamp_min", "by", "without", "on", "ignoring", "and", "or", "unless", "bool",
            "group_left", "group_right", "offset", "irate", "delta", "topk", "bottomk", "abs");
    /** Series Prometheus makes itself for every target it scrapes. */
    private static final Set<String> SCRAPE_SERIES = Set.of("up");
    /** Labels Prometheus adds to every series it scrapes, and the histogram's bucket bound. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance", "le");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)");

    private static MessengerStack stack;

    @BeforeAll
    static void start() {
        stack = MessengerStack.shared();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyMetricThatAnAlertOrAPanelNamesIsExposedByTheServices() throws IOException {
        // one webhook call each way, so that the HTTP server's request metrics have a /webhook series
        stack.customerWrites("ops-page-" + System.nanoTime(), "ops-customer", "hello");
        given().baseUri(stack.bridge.url()).contentType("application/json").body("{}").post("/webhook").then()
                .statusCode(403);
        Set<String> exposed = new HashSet<>(SCRAPE_SERIES);
        Map<String, Set<String>> labels = new java.util.HashMap<>();
        for (ServiceProcess service : List.of(stack.bridge, stack.customerService, stack.gateway)) {
            String scrape = given().baseUri(service.url()).get("/q/metrics").then().statusCode(200).extract().asString();
            for (String line : scrape.split("\n")) {
                Matcher name = IDENTIFIER.matcher(line);
                if (!line.startsWith("#") && name.lookingAt()) {
                    exposed.add(name.group());
                    Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(line);
                    while (label.find()) {
                        labels.computeIfAbsent(name.group(), n -> new HashSet<>()).add(label.group(1));
                    }
                }
            }
        }
        Map<String, String> expressions = new LinkedHashMap<>();
        alerts(rulesFile()).forEach(rule -> expressions.put("alert " + rule.get("alert"), (String) rule.get("expr")));
        // JSON is YAML: the dashboard is read by the same parser
        Map<String, Object> dashboard = new Yaml().load(Files.readString(ROOT.resolve("ops/grafana/handover-dashboard.json")));
        for (Map<String, Object> panel : (List<Map<String, Object>>) dashboard.get("panels")) {
            for (Map<String, Object> target : (List<Map<String, Object>>) panel.get("targets")) {
                expressions.put("panel '" + panel.get("title") + "' " + target.get("refId"), (String) target.get("expr"));
            }
        }
        assertTrue(expressions.size() > 20, "the rules and the dashboard are read: " + expressions.keySet());
        List<String> missing = new ArrayList<>();
        expressions.forEach((where, expr) -> {
            Set<String> names = metricNames(expr);
            assertFalse(names.isEmpty(), where + " names no metric: " + expr);
            names.stream().filter(name -> !exposed.contains(name)).forEach(name -> missing.add(where + ": " + name));
            // a selector's labels are ones the metric has: a renamed or dropped label breaks the build too
            Matcher selector = SELECTOR.matcher(expr);
            while (selector.find()) {
                if (SCRAPE_SERIES.contains(selector.group(1))) {
                    continue;
                }
                Matcher matcher = MATCHER.matcher(selector.group(2).replaceAll("\"[^\"]*\"", "\"\""));
                while (matcher.find()) {
                    String label = matcher.group(1);
                    if (!TARGET_LABELS.contains(label)
                            && !labels.getOrDefault(selector.group(1), Set.of()).contains(label)) {
                        missing.add(where + ": " + selector.group(1) + " has no label " + label);
                    }
                }
            }
        });
        assertEquals(List.of(), missing, "metrics (or their labels) named by alerts or panels that no service exposes");
    }

    @Test
    void everyAlertHasAThresholdASeverityAndARunbookSectionThatExists() throws IOException {
        String runbook = Files.readString(ROOT.resolve("docs/operations.md"));
        List<Map<String, Object>> alerts = alerts(rulesFile());
        assertTrue(alerts.size() >= 7, "alerts: " + alerts.size());
        for (Map<String, Object> alert : alerts) {
            String name = (String) alert.get("alert");
            @SuppressWarnings("unchecked")
            Map<String, Object> annotations = (Map<String, Object>) alert.get("annotations");
            @SuppressWarnings("unchecked")
            Map<String, Object> labels = (Map<String, Object>) alert.get("labels");
            assertTrue(Set.of("page", "ticket").contains(labels.get("severity")), name + " severity");
            assertTrue(((String) alert.get("expr")).matches("(?s).*[<>]=? *[0-9.]+.*"), name + " has a threshold");
            assertEquals("docs/operations.md#" + name.toLowerCase(), annotations.get("runbook_url"), name + " runbook link");
            assertTrue(runbook.contains("\n### " + name + "\n"), name + " has its section in docs/operations.md");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePrometheusRuleInKubernetesCarriesTheSameGroupsAsThePlainRulesFile() throws IOException {
        Map<String, Object> rule = null;
        for (Object document : new Yaml().loadAll(Files.readString(ROOT.resolve("k8s/base/monitoring.yaml")))) {
            if (document instanceof Map<?, ?> map && "PrometheusRule".equals(map.get("kind"))) {
                rule = (Map<String, Object>) map;
            }
        }
        assertTrue(rule != null, "k8s/base/monitoring.yaml has a PrometheusRule");
        assertEquals(rulesFile().get("groups"), ((Map<String, Object>) rule.get("spec")).get("groups"));
        String kustomization = Files.readString(ROOT.resolve("k8s/base/kustomization.yaml"));
        assertTrue(kustomization.contains("monitoring.yaml"), "the base kustomization deploys the PrometheusRule");
    }

    /**
     * A {@code job} an alert selects is a job that exists: the Service names the ServiceMonitor selects in
     * Kubernetes, and the job names of the Prometheus configuration {@code ./handover up} writes.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyJobAnAlertSelectsIsScrapedInKubernetesAndLocally() throws IOException {
        Set<String> kubernetes = new HashSet<>();
        boolean monitored = false;
        for (String file : List.of("customer-service", "realtime-gateway", "messenger-bridge", "monitoring")) {
            for (Object document : new Yaml().loadAll(Files.readString(ROOT.resolve("k8s/base/" + file + ".yaml")))) {
                if (!(document instanceof Map<?, ?> map)) {
                    continue;
                }
                Map<String, Object> metadata = (Map<String, Object>) map.get("metadata");
                if ("Service".equals(map.get("kind")) && metadata.get("labels") instanceof Map<?, ?> labels
                        && "handover".equals(labels.get("app.kubernetes.io/part-of"))) {
                    kubernetes.add((String) metadata.get("name"));
                } else if ("ServiceMonitor".equals(map.get("kind"))) {
                    Map<String, Object> spec = (Map<String, Object>) map.get("spec");
                    assertEquals(Map.of("app.kubernetes.io/part-of", "handover"),
                            ((Map<String, Object>) spec.get("selector")).get("matchLabels"));
                    Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).get(0);
                    assertEquals("http", endpoint.get("port"));
                    assertEquals("/q/metrics", endpoint.get("path"));
                    monitored = true;
                }
            }
        }
        assertTrue(monitored, "k8s/base/monitoring.yaml has a ServiceMonitor");
        assertEquals(Set.of("customer-service", "realtime-gateway", "messenger-bridge"), kubernetes);
        Set<String> local = new HashSet<>();
        Matcher job = Pattern.compile("- job_name: (\\S+)").matcher(Files.readString(ROOT.resolve("handover")));
        while (job.find()) {
            local.add(job.group(1));
        }
        assertEquals(kubernetes, local, "./handover up's Prometheus jobs");
        Matcher selector = Pattern.compile("job=~?\"([^\"]*)\"").matcher(Files.readString(ROOT.resolve("ops/prometheus/handover-rules.yaml")));
        int selectors = 0;
        while (selector.find()) {
            selectors++;
            String regex = selector.group(1);
            assertTrue(kubernetes.stream().anyMatch(name -> name.matches(regex)), "job selector " + regex + " matches no job");
        }
        assertTrue(selectors > 0, "no alert selects a job: nothing to check");
    }

    /** The metric names in a PromQL expression: identifiers that are not functions, keywords, labels or values. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", "").replaceAll("\\[[^]]*]", "")
                .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", "");
        Set<String> names = new HashSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            String word = identifier.group();
            boolean call = bare.substring(identifier.end()).stripLeading().startsWith("(");
            if (!call && !PROMQL.contains(word) && !word.matches("[0-9].*")) {
                names.add(word);
            }
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> rulesFile() throws IOException {
        return new Yaml().load(Files.readString(ROOT.resolve("ops/prometheus/handover-rules.yaml")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alerts(Map<String, Object> rules) {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Object group : (List<Object>) rules.get("groups")) {
            alerts.addAll((List<Map<String, Object>>) ((Map<String, Object>) group).get("rules"));
        }
        return alerts;
    }
}
