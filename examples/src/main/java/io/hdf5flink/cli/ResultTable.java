package io.hdf5flink.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

/**
 * The rows of a query printed as a table, as Flink's SQL client prints them, to the command's own
 * output (Flink's {@code TableResult.print()} writes to {@code System.out} only). A streaming
 * query's updates show in an {@code op} column ({@code +I}, {@code -U}, {@code +U}, {@code -D}).
 */
final class ResultTable {
    private ResultTable() {}

    static void print(List<String> columns, CloseableIterator<Row> rows, PrintWriter out) throws Exception {
        List<String[]> cells = new ArrayList<>();
        boolean updates = false;
        try (rows) {
            while (rows.hasNext()) {
                Row r = rows.next();
                updates |= r.getKind() != RowKind.INSERT;
                String[] line = new String[columns.size() + 1];
                line[0] = r.getKind().shortString();
                for (int i = 0; i < columns.size(); i++) line[i + 1] = cell(r.getField(i));
                cells.add(line);
            }
        }
        int from = updates ? 0 : 1;
        List<String> header = new ArrayList<>();
        header.add("op");
        header.addAll(columns);
        int[] width = new int[header.size()];
        for (int c = from; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (String[] line : cells) width[c] = Math.max(width[c], line[c].length());
        }
        StringBuilder rule = new StringBuilder("+");
        for (int c = from; c < width.length; c++) rule.append("-".repeat(width[c] + 2)).append('+');
        out.println(rule);
        out.println(line(header.toArray(String[]::new), width, from));
        out.println(rule);
        for (String[] l : cells) out.println(line(l, width, from));
        if (!cells.isEmpty()) out.println(rule);
        out.println(cells.size() == 1 ? "1 row in set" : String.format(Locale.ROOT, "%,d rows in set", cells.size()));
        out.flush();
    }

    private static String line(String[] cells, int[] width, int from) {
        StringBuilder b = new StringBuilder("|");
        for (int c = from; c < width.length; c++) {
            b.append(' ').append(" ".repeat(width[c] - cells[c].length())).append(cells[c]).append(" |");
        }
        return b.toString();
    }

    private static String cell(Object value) {
        if (value == null) return "<NULL>";
        if (value instanceof Object[] array) return Arrays.deepToString(array);
        if (value.getClass().isArray()) return Arrays.deepToString(new Object[] {value}).replaceAll("^\\[|\\]$", "");
        return value.toString();
    }
}
