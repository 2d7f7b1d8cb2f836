package dev.lethe.notices;

import static dev.lethe.notices.NoticeFixtures.json;
import static dev.lethe.notices.NoticeFixtures.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.registry.CookieCategory;
import dev.lethe.registry.Durations;
import dev.lethe.registry.LawfulBasis;
import dev.lethe.registry.Policy;
import dev.lethe.registry.PolicyReader;
import dev.lethe.registry.Source;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example policies in {@code examples/} describe the four products of the seed documents; the
 * fixtures in {@code seed-rows/} are rows of those documents' own tables. Each seed row must
 * appear, in our words, in the notice Lethe prints from the example policy.
 */
class ExamplePoliciesTest {

    private static final Path EXAMPLES = Path.of(System.getProperty("user.dir"), "examples");

    /** The seeds' trigger texts and the phrase our retention notice uses for the same trigger. */
    private static final Map<String, String> SEED_TRIGGERS = Map.of(
            "Date the conversation or chat started", "Date the conversation or chat started",
            "Date of communication", "Date of collection or communication",
            "Date of communication with the end user", "Date of collection or communication",
            "Date of communication (SMTP API)", "Date of collection or communication",
            "Date of communication (HTTP API)", "Date the message was sent (the send-at date if scheduled)",
            "Termination of communication campaign", "Termination of the communication campaign",
            "Contract termination or 18 month inactivity", "Contract termination or 18 months of inactivity");

    /** The seeds' scope remarks (in brackets) and the scope items our notice lists, ignoring case. */
    private static final Map<String, List<String>> SEED_SCOPES = Map.of(
            "Answers and Conversations", List.of("answers", "conversations"),
            "CPaaS services", List.of("cpaas"),
            "SMTP API", List.of("smtp api"),
            "HTTP API", List.of("http api"));

    private static final Map<String, String> SEED_LAWFUL_BASES = Map.of(
            "Contractual Necessity", LawfulBasis.CONTRACT.words(),
            "Legitimate Interest", LawfulBasis.LEGITIMATE_INTERESTS.words(),
            "Subject Consent", LawfulBasis.CONSENT.words(),
            "Legal Obligation", LawfulBasis.LEGAL_OBLIGATION.words());

    private static final Map<String, String> SEED_SOURCES = Map.of(
            "User-completed form", Source.USER_FORM.words(),
            "API", Source.API.words(),
            "Social Network", Source.SOCIAL_NETWORK.words());

    private static final Map<String, String> SEED_COOKIE_CATEGORIES = Map.of(
            "Required", CookieCategory.REQUIRED.words(),
            "Functionality", CookieCategory.FUNCTIONALITY.words(),
            "Performance", CookieCategory.PERFORMANCE.words(),
            "Targeting", CookieCategory.TARGETING.words());

    @Test
    void thereAreExamplePoliciesToCheck() throws IOException {
        assertThat(examples())
                .extracting(p -> p.getFileName().toString())
                .contains(
                        "advocacy-platform.yaml",
                        "messaging-platform.yaml",
                        "sms-api.yaml",
                        "web-personalisation.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyExamplePolicyReadsWithoutErrors(Path example) throws IOException {
        var result = PolicyReader.read(Files.readString(example));
        assertThat(result.errors())
                .as(
                        "errors in %s:%n%s",
                        example.getFileName(),
                        result.errors().stream()
                                .map(e -> "  " + e.path() + ": " + e.message())
                                .collect(Collectors.joining("\n")))
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messagingRetention")
    void theMessagingRetentionNoticeHasEachSeedRecord(SeedRow seed) {
        JsonNode row =
                row(json(example("messaging-platform.yaml"), NoticeKind.RETENTION), "records", seed.get("record"));
        assertThat(row.get("data").asText()).isEqualTo(seed.get("title"));
        assertThat(row.get("period").asText()).isEqualTo(seedPeriod(seed.get("period")));
        assertThat(SEED_TRIGGERS).as("a mapping for the seed's trigger").containsKey(seed.get("trigger"));
        assertThat(row.get("trigger").asText()).isEqualTo(SEED_TRIGGERS.get(seed.get("trigger")));
        var scope = texts(row.get("scope")).stream()
                .map(s -> s.toLowerCase(Locale.ROOT))
                .toList();
        for (String remark : remarks(seed.get("trigger") + " " + seed.get("period"))) {
            assertThat(scope).as("scope for '%s'", remark).containsAll(SEED_SCOPES.get(remark));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("advocacyCategories")
    void theAdvocacyCategoryTableHasEachSeedCategoryPerSubject(SeedRow seed) {
        JsonNode row = row(
                json(example("advocacy-platform.yaml"), NoticeKind.CATEGORIES),
                seed.get("subject"),
                seed.get("category"));
        boolean optional = seed.get("optional").equals("yes");
        assertThat(row.get("data").asText()).isEqualTo(seed.get("title") + (optional ? " (optional)" : ""));
        assertThat(row.get("required").asBoolean()).isEqualTo(!optional);
        assertThat(row.get("purpose").asText()).isEqualTo(seed.get("purpose"));
        assertThat(row.get("lawfulBasis").asText()).isEqualTo(mapped(SEED_LAWFUL_BASES, seed.get("lawfulness")));
        assertThat(row.get("source").asText()).isEqualTo(mapped(SEED_SOURCES, seed.get("source")));
        assertThat(row.get("retention").asText()).startsWith(seedPeriod(seed.get("retention")) + " after ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("advocacySubprocessors")
    void theAdvocacySubprocessorListHasEachSeedCompany(SeedRow seed) {
        Policy policy = example("advocacy-platform.yaml");
        JsonNode row = row(json(policy, NoticeKind.SUBPROCESSORS), "processors", seed.get("company"));
        assertThat(row.get("company").asText()).isEqualTo(seed.get("company"));
        assertThat(row.get("address").asText()).isEqualTo(seed.get("address"));
        assertThat(row.get("required").asBoolean())
                .isEqualTo(seed.get("optional").equals("no"));
        for (String subject : List.of("advocate", "manager")) {
            var titles = Arrays.stream(seed.get(subject + "_categories").split(","))
                    .map(String::strip)
                    .filter(name -> !name.isEmpty())
                    .map(name -> policy.category(name)
                            .orElseThrow(() -> new AssertionError("the seed names an unknown category " + name))
                            .title())
                    .toList();
            JsonNode received = row.get("data").get(subject);
            assertThat(received == null ? List.of() : texts(received))
                    .as("%s categories", subject)
                    .containsExactlyElementsOf(titles);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smsCookies")
    void theSmsCookieNoticeHasEachSeedCookie(SeedRow seed) {
        JsonNode notice = json(example("sms-api.yaml"), NoticeKind.COOKIES);
        JsonNode section = StreamSupport.stream(notice.get("sections").spliterator(), false)
                .filter(s -> StreamSupport.stream(s.get("rows").spliterator(), false)
                        .anyMatch(r -> r.get("id").asText().equals(seed.get("name"))))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no cookie " + seed.get("name")));
        JsonNode row = row(notice, section.get("key").asText(), seed.get("name"));
        assertThat(section.get("heading").asText()).isEqualTo(mapped(SEED_COOKIE_CATEGORIES, seed.get("category")));
        assertThat(row.get("provider").asText()).isEqualTo(seed.get("provider"));
        String duration = seed.get("duration").equals("session")
                ? "Session"
                : Durations.words(Period.parse(seed.get("duration")));
        assertThat(row.get("duration").asText()).isEqualTo(duration);
    }

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    static List<SeedRow> messagingRetention() {
        return seedRows("messaging-retention.tsv");
    }

    static List<SeedRow> advocacyCategories() {
        return seedRows("advocacy-categories.tsv");
    }

    static List<SeedRow> advocacySubprocessors() {
        return seedRows("advocacy-subprocessors.tsv");
    }

    static List<SeedRow> smsCookies() {
        return seedRows("sms-cookies.tsv");
    }

    /** A row of a seed document's table, named in test reports by its first cells. */
    record SeedRow(Map<String, String> cells) {

        String get(String column) {
            String value = cells.get(column);
            if (value == null) throw new AssertionError("the fixture has no column " + column + ": " + cells.keySet());
            return value;
        }

        @Override
        public String toString() {
            return cells.values().stream().limit(2).collect(Collectors.joining(" / "));
        }
    }

    private static List<SeedRow> seedRows(String fixture) {
        try (InputStream in = ExamplePoliciesTest.class.getResourceAsStream("/seed-rows/" + fixture)) {
            assertThat(in).as("fixture seed-rows/%s", fixture).isNotNull();
            var lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.isBlank())
                    .toList();
            var header = lines.get(0).split("\t", -1);
            var rows = new ArrayList<SeedRow>();
            for (String line : lines.subList(1, lines.size())) {
                var values = line.split("\t", -1);
                assertThat(values).as("cells in %s: %s", fixture, line).hasSize(header.length);
                var cells = new LinkedHashMap<String, String>();
                for (int i = 0; i < header.length; i++) cells.put(header[i], values[i].strip());
                rows.add(new SeedRow(cells));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Policy example(String file) {
        try {
            var result = PolicyReader.read(Files.readString(EXAMPLES.resolve(file)));
            assertThat(result.errors()).as("errors in %s", file).isEmpty();
            return result.policy();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode row(JsonNode notice, String section, String id) {
        return NoticeFixtures.row(notice, section, id);
    }

    /** "6 months (Answers and Conversations)" → "6 months"; the seeds write "1 years", we write "1 year". */
    private static String seedPeriod(String text) {
        String period = text.replaceAll("\\s*\\(.*\\)\\s*$", "").strip();
        return period.replaceFirst("^1 (\\w+)s$", "1 $1");
    }

    /** The bracketed remarks that name a scope ("(SMTP API)"), not those that explain ("(if ...)"). */
    private static List<String> remarks(String text) {
        var out = new ArrayList<String>();
        var m = Pattern.compile("\\(([^)]*)\\)").matcher(text);
        while (m.find()) if (!m.group(1).startsWith("if ")) out.add(m.group(1));
        return out;
    }

    private static String mapped(Map<String, String> mapping, String seedWords) {
        assertThat(mapping).as("a mapping for the seed's '%s'", seedWords).containsKey(seedWords);
        return mapping.get(seedWords);
    }
}
