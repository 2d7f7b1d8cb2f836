package dev.lethe.http;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.lethe.errors.FieldError;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a route's declarations decide which query parameters it takes, and how often. */
class QueryTest {

    private static final List<RouteDoc.Param> DECLARED = List.of(
            new RouteDoc.Param("limit", "", false),
            new RouteDoc.Param("field.{key}", "", false),
            new RouteDoc.Param("tag", "", true));

    @Test
    void aPlaceholderMatchesAnyNonEmptyTextAndNothingElse() {
        var q = query(Map.of("field.tier", List.of("gold"), "field.", List.of("x"), "fieldXtier", List.of("x")));

        assertThat(q.prefixed("field.")).containsExactly(Map.entry("tier", "gold"));
        assertThat(paths(q.errors())).containsExactlyInAnyOrder("field.", "fieldXtier");
        assertThat(q.errors().get(0).message()).isEqualTo("unknown parameter (limit, field.{key}, tag)");
    }

    @Test
    void onlyARepeatableParameterMayBeGivenTwice() {
        var q = query(Map.of(
                "tag", List.of("vip", "newsletter"),
                "limit", List.of("1", "2"),
                "field.tier", List.of("a", "b")));

        assertThat(q.texts("tag")).containsExactly("vip", "newsletter");
        assertThat(paths(q.errors())).containsExactlyInAnyOrder("limit", "field.tier");
        assertThat(q.errors()).allSatisfy(e -> assertThat(e.message()).isEqualTo(Query.REPEATED));
        assertThat(q.integer("limit", 100, 1, 1000))
                .as("a refused parameter reads as absent")
                .isEqualTo(100);
        assertThat(q.prefixed("field.")).isEmpty();
        assertThat(q.errors()).as("and is not named twice").hasSize(2);
    }

    @Test
    void valuesOfTheWrongKindAreCollectedNotThrown() {
        var q = query(Map.of("limit", List.of("0"), "tag", List.of("a\u0000b")));

        assertThat(q.integer("limit", 100, 1, 1000)).isEqualTo(100);
        q.instant("limit");
        assertThat(q.errors())
                .containsExactlyInAnyOrder(
                        new FieldError("tag", "holds a NUL character"),
                        new FieldError("limit", "must be a whole number from 1 to 1000"));
    }

    @Test
    void aRouteWithoutParametersSaysSo() {
        var q = new Query(Map.of("x", List.of("1")), List.of());

        assertThat(q.errors()).containsExactly(new FieldError("x", "unknown parameter: this route takes none"));
    }

    @Test
    void aRouteCannotReadAParameterItDoesNotDeclare() {
        var q = query(Map.of());

        assertThatThrownBy(() -> q.text("emial")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> q.integer("offset", 0, 0, 10)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> q.prefixed("traits.")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void onlyTheRouteBuilderReadsTheQueryStringSoEveryReadGoesThroughADeclaration() {
        var classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.lethe");

        noClasses()
                .that()
                .haveNameNotMatching("dev\\.lethe\\.http\\.Api(\\$.*)?")
                .should()
                .callMethodWhere(target(nameMatching("queryParam.*|queryString"))
                        .and(target(owner(assignableTo(Context.class)))))
                .because("a route reads its query parameters through Query, which refuses undeclared ones")
                .check(classes);
    }

    private static Query query(Map<String, List<String>> params) {
        return new Query(new LinkedHashMap<>(params), DECLARED);
    }

    private static List<String> paths(List<FieldError> errors) {
        return errors.stream().map(FieldError::path).toList();
    }
}
