package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.cli.spec.CaseList;
import org.ndkkit.cli.spec.Spec;

class CaseListTest {
    private final Spec spec = Spec.load(getClass().getClassLoader());

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("cases.txt");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void idsAtTheStartOfLinesCommentsAndBlankLinesSkipped() throws IOException {
        String first = spec.scenarios().get(0).id();
        String last = spec.scenarios().get(spec.scenarios().size() - 1).id();
        // as 'ndk-cli list scenarios' prints them: the id, then clauses and the name
        Path f = file("# the two ends of the spec\n\n" + last + "    SOME-CLAUSE   Its name\n  " + first + "\n" + last + "\n");

        assertThat(CaseList.read(f, spec)).containsExactly(last, first);
    }

    @Test
    void anIdTheSpecDoesNotHoldIsAnErrorNamingItsLine() throws IOException {
        Path f = file(spec.scenarios().get(0).id() + "\nconnect-with-shared-endpoint.feature:99999\n");

        assertThatThrownBy(() -> CaseList.read(f, spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2: no scenario connect-with-shared-endpoint.feature:99999");
    }

    @Test
    void aLineThatIsNotAnIdIsAnError() throws IOException {
        Path f = file("2 of 263 scenarios\n");

        assertThatThrownBy(() -> CaseList.read(f, spec)).hasMessageContaining("line 1 does not start with a scenario id");
    }

    @Test
    void aListThatNamesNothingIsAnError() throws IOException {
        assertThatThrownBy(() -> CaseList.read(file("# nothing\n\n"), spec)).hasMessageContaining("names no scenario");
        assertThatThrownBy(() -> CaseList.read(dir.resolve("missing.txt"), spec)).hasMessageContaining("cannot read it");
    }
}
