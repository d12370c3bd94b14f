package org.itaestudio.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering that docs/ARCHITECTURE.md draws, checked on the product classes (src/main only): a core that computes
 * everything and knows nothing of its shells, a CLI that alone talks to the terminal, DJL kept inside the model.
 */
class LayerRulesTest {

    static final String[] CORE = {
        "org.itaestudio.model..", "org.itaestudio.itae..", "org.itaestudio.image..",
        "org.itaestudio.store..", "org.itaestudio.cluster..", "org.itaestudio.pipeline..", "org.itaestudio.transfer.."};

    private static JavaClasses product;

    @BeforeAll
    static void importProductClasses() {
        product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("org.itaestudio");
    }

    @Test
    void productClassesAreImported() {
        // guards the rules below against passing on an empty import (a wrong package name or class path)
        org.junit.jupiter.api.Assertions.assertTrue(product.containPackage("org.itaestudio.model"), "model package imported");
        org.junit.jupiter.api.Assertions.assertTrue(product.containPackage("org.itaestudio.ui"), "ui package imported");
        org.junit.jupiter.api.Assertions.assertTrue(product.size() > 100, "classes imported: " + product.size());
    }

    @Test
    void coreKnowsNothingOfItsShells() {
        ArchRule rule = noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.itaestudio.ui..", "org.itaestudio.cli..", "org.itaestudio.bench..", "javafx..")
                .because("the CLI and the desktop app are two shells over the same core");
        rule.check(product);
    }

    @Test
    void onlyTheUiUsesJavaFx() {
        noClasses().that().resideOutsideOfPackage("org.itaestudio.ui..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..")
                .because("the CLI must run on a machine without a display")
                .check(product);
    }

    @Test
    void onlyTheCliWritesToStandardStreams() {
        noClasses().that().resideOutsideOfPackages("org.itaestudio.cli..", "org.itaestudio.bench..")
                .should().accessField(System.class, "out")
                .orShould().accessField(System.class, "err")
                .orShould().callMethod(Throwable.class, "printStackTrace")
                .because("the core and the app report through return values, exceptions, listeners and the log")
                .check(product);
    }

    @Test
    void djlStaysInsideTheModel() {
        noClasses().that().resideOutsideOfPackages("org.itaestudio.model..", "org.itaestudio.bench..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl..")
                .because("the engine (DJL on libtorch) is an implementation detail of the model")
                .check(product);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("org.itaestudio.(*)..").should().beFreeOfCycles().check(product);
    }
}
