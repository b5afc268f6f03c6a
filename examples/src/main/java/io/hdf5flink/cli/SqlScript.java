package io.hdf5flink.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A SQL script cut into statements at the semicolons that end them: not those inside quoted
 * strings ({@code '...'}, with {@code ''} for a quote), quoted identifiers ({@code `...`},
 * {@code "..."}) or comments ({@code -- ...} to the end of the line, {@code /* ... *\/}).
 * Those inside {@code EXECUTE STATEMENT SET BEGIN ... END} end its INSERTs, not the statement.
 * Comments stay in the statement text (Flink's parser skips them); statements that are only
 * comments and blanks are dropped.
 */
final class SqlScript {
    private SqlScript() {}

    /** One statement and the line of the script it starts on (for error messages). */
    record Statement(String text, int line) {
        /** The statement without its comments, on one line. */
        String code() {
            return text.replaceAll("--[^\\n]*", " ").replaceAll("(?s)/\\*.*?\\*/", " ").strip().replaceAll("\\s+", " ");
        }

        /** The statement's first words, for messages: "INSERT INTO recording ...". */
        String summary() {
            String flat = code();
            return flat.length() <= 60 ? flat : flat.substring(0, 57) + "...";
        }
    }

    /**
     * Whether {@code text} is an {@code EXECUTE STATEMENT SET BEGIN ...} not yet closed by its
     * {@code END}: the semicolons between end the INSERTs inside, not the statement.
     */
    private static boolean insideStatementSet(CharSequence text) {
        String code = new Statement(text.toString(), 0).code().toUpperCase(java.util.Locale.ROOT);
        return code.matches("EXECUTE\\s+STATEMENT\\s+SET\\b.*") && !code.matches(".*\\bEND\\s*");
    }

    static List<Statement> split(String script) {
        List<Statement> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int startLine = 1;
        boolean content = false;
        char quote = 0;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            char next = i + 1 < script.length() ? script.charAt(i + 1) : 0;
            if (quote == 0 && c == '-' && next == '-') {
                int end = script.indexOf('\n', i);
                end = end < 0 ? script.length() : end;
                current.append(script, i, end);
                i = end - 1;
                continue;
            }
            if (quote == 0 && c == '/' && next == '*') {
                int end = script.indexOf("*/", i + 2);
                end = end < 0 ? script.length() : end + 2;
                String comment = script.substring(i, end);
                current.append(comment);
                line += (int) comment.chars().filter(ch -> ch == '\n').count();
                i = end - 1;
                continue;
            }
            if (c == '\n') line++;
            if (quote == 0 && c == ';' && !insideStatementSet(current)) {
                if (content) statements.add(new Statement(current.toString().strip(), startLine));
                current.setLength(0);
                content = false;
                continue;
            }
            if (quote == 0 && (c == '\'' || c == '`' || c == '"')) {
                quote = c;
            } else if (quote != 0 && c == quote) {
                if (next == quote) {
                    current.append(c);
                    i++;
                } else {
                    quote = 0;
                }
            }
            if (!content && !Character.isWhitespace(c)) {
                content = true;
                startLine = line;
            }
            current.append(c);
        }
        if (quote != 0) throw new UsageException("the script ends inside a quoted " + (quote == '\'' ? "string" : "identifier")
                + " opened by " + quote);
        if (content) statements.add(new Statement(current.toString().strip(), startLine));
        return statements;
    }
}
