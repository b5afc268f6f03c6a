package io.hdf5flink.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.flink.annotation.Internal;
import org.junit.jupiter.api.Test;

/**
 * The main job and the examples are clients like any user's job: they use the connector's public
 * API only, so that the connector's internals can change without breaking them (and the
 * examples show nothing a user cannot do).
 */
class PublicApiOnlyTest {
    private static final JavaClasses CLIENTS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.hdf5flink.cli", "io.hdf5flink.examples");

    @Test
    void clientsUseNoInternalClassOfTheConnector() {
        noClasses().should().dependOnClassesThat().areAnnotatedWith(Internal.class)
                .orShould().dependOnClassesThat().resideInAPackage("io.hdf5flink.hdf5.format..")
                .check(CLIENTS);
    }
}
