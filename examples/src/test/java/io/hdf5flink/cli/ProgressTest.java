package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress frames as a terminal (or a log) receives them; the redrawing thread is not started. */
class ProgressTest {
    private final StringWriter written = new StringWriter();

    private Progress progress(long totalBytes, boolean terminal, int columns) {
        Progress.reset();
        return new Progress(new PrintWriter(written), totalBytes, 10, terminal, columns);
    }

    /** The frames drawn in place on a terminal: what follows each carriage return, the final newline left out. */
    private List<String> frames() {
        String all = written.toString();
        assertTrue(all.startsWith("\r") && all.endsWith("\n"), all);
        return Arrays.asList(all.substring(1, all.length() - 1).split("\r", -1));
    }

    /** A frame at {@code bytes} of 1000, then the job completes: all 1000 bytes handed over. */
    private void drawThenComplete(boolean terminal, long bytes) {
        Progress p = progress(1000, terminal, 80);
        Progress.BYTES.set(bytes);
        p.print();
        Progress.BYTES.set(1000);
        p.close();
    }

    @Test
    void theLastFrameOfACompletedJobSays100Percent() {
        drawThenComplete(true, 995);
        List<String> frames = frames();
        assertEquals(2, frames.size(), frames.toString());
        assertTrue(frames.get(0).contains(" 99%  99 / 100 rows"), frames.get(0));
        assertTrue(frames.get(1).startsWith("[" + "#".repeat(30) + "] 100%  100 / 100 rows"), frames.get(1));
    }

    @Test
    void theLastLogLineOfACompletedJobSays100Percent() {
        drawThenComplete(false, 999);
        String[] lines = written.toString().split("\n");
        assertEquals(2, lines.length, written.toString());
        assertTrue(lines[0].startsWith("progress: 99 / 100 rows (99%)"), lines[0]);
        assertTrue(lines[1].startsWith("progress: 100 / 100 rows (100%)"), lines[1]);
    }

    @Test
    void aJobThatEndsBeforeTheFirstFrameDrawsNone() {
        progress(1000, true, 80).close();
        assertEquals("", written.toString());
    }

    @Test
    void everyFrameFitsTheTerminalLessItsLastColumn() {
        for (int columns : new int[] {8, 30, 60, 80, 132, 300}) {
            for (long total : new long[] {-1, 1000, 123_456_789_012_345L}) {
                written.getBuffer().setLength(0);
                Progress p = progress(total, true, columns);
                Progress.BYTES.set(total > 0 ? total / 3 : 4_000_000_000L);
                p.print();
                p.close();
                for (String frame : frames()) {
                    assertEquals(columns - 1, frame.length(), columns + " columns: '" + frame + "'");
                }
                // A bar where the numbers leave room for one, at most 30 wide; none where they do not.
                String last = frames().get(1);
                if (total == 1000 && columns >= 80) assertTrue(last.matches("\\[#{9}\\.{21}\\]  33% .*"), last);
                if (total == 1000 && columns == 60) assertTrue(last.matches("\\[#{3,9}\\.{7,19}\\]  33% .*"), last);
                if (total > 0 && columns <= 30) assertTrue(last.startsWith("33%  "), last);
            }
        }
    }

    @Test
    void theWidthIsColumnsWhenSetElse80() {
        assertEquals(80, Progress.columns(null));
        assertEquals(120, Progress.columns("120"));
        assertEquals(80, Progress.columns(""));
        assertEquals(80, Progress.columns("0"));
        assertEquals(80, Progress.columns("wide"));
    }
}
