package dev.lethe;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;

/**
 * The shape DESIGN.md promises: dependencies point inward. The outer layers (http, console, cli)
 * and the composition root {@link Lethe} call the features; a feature (every other package under
 * dev.lethe, including ones added later) knows nothing of HTTP, Javalin or the command line.
 */
@AnalyzeClasses(packages = "dev.lethe", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The callers. Console is not written yet; DESIGN.md puts it beside http and cli. */
    private static final String[] OUTER_LAYERS = {"dev.lethe.http..", "dev.lethe.console..", "dev.lethe.cli.."};

    @ArchTest
    static final ArchRule featuresDoNotDependOnHttpTheCommandLineOrJavalin = noClasses()
            .that()
            .resideInAPackage("dev.lethe..")
            .and()
            .resideOutsideOfPackages(OUTER_LAYERS)
            .and()
            .doNotBelongToAnyOf(Lethe.class)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.lethe.http..", "dev.lethe.cli..", "io.javalin..")
            .because(
                    "features are called by http, console and cli, and must work without them (DESIGN.md, Architecture)");

    @ArchTest
    static final ArchRule onlyHttpAndTheConsoleUseJavalin = noClasses()
            .that()
            .resideOutsideOfPackages("dev.lethe.http..", "dev.lethe.console..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.javalin..")
            .because("the web framework is a detail of the HTTP layer");

    @ArchTest
    static final ArchRule featurePackagesAreFreeOfCycles =
            slices().matching("dev.lethe.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule onlyTheCommandLineWritesToStandardOutOrError = noClasses()
            .that()
            .resideOutsideOfPackage("dev.lethe.cli..")
            .should(GeneralCodingRules.ACCESS_STANDARD_STREAMS)
            .because("the server logs through SLF4J, where structured logs keep personal values out");

    @ArchTest
    static final ArchRule nothingUsesJavaUtilLogging = GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;

    @ArchTest
    static final ArchRule nothingThrowsGenericExceptions =
            GeneralCodingRules.NO_CLASSES_SHOULD_THROW_GENERIC_EXCEPTIONS;
}
