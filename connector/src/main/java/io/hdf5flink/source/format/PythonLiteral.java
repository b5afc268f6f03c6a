package io.hdf5flink.source.format;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the small subset of Python literal syntax an {@code .npy} header is written in
 * (numpy writes {@code repr} of a dict and reads it back with {@code ast.literal_eval}): dicts,
 * tuples, lists, strings, integers, {@code True}, {@code False} and {@code None}. Headers come
 * from untrusted files, so nesting is bounded and every error is an {@link IOException}. Used only
 * on the client, when a source is built; nothing parsed here reaches a checkpoint.
 *
 * <p>Values map to Java as: dict to {@link Map}, tuple to {@link Tuple}, list to {@link List},
 * string to {@link String}, integer to {@link Long}, bool to {@link Boolean}, None to
 * {@link #NONE}.
 */
final class PythonLiteral {
    /** Python's None. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A tuple, kept apart from lists because a dtype list means a structured dtype. */
    record Tuple(List<Object> items) {}

    // Headers are a flat dict; deeper nesting only comes from corrupt or hostile files.
    private static final int MAX_DEPTH = 16;

    private final String text;
    private int pos;

    private PythonLiteral(String text) {
        this.text = text;
    }

    /** Parses {@code text}, which must hold exactly one literal and nothing but whitespace around it. */
    static Object parse(String text) throws IOException {
        PythonLiteral p = new PythonLiteral(text);
        Object value = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) throw p.error("unexpected text after the literal");
        return value;
    }

    private Object value(int depth) throws IOException {
        if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
        skipSpace();
        if (pos >= text.length()) throw error("unexpected end");
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return dict(depth);
            case '(':
                return new Tuple(sequence(')', depth));
            case '[':
                return sequence(']', depth);
            case '\'':
            case '"':
                return string(c);
            default:
                if (c == '-' || Character.isDigit(c)) return integer();
                return name();
        }
    }

    private Map<String, Object> dict(int depth) throws IOException {
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (peek('}')) return map;
            Object key = value(depth + 1);
            if (!(key instanceof String k)) throw error("dict key is not a string");
            skipSpace();
            expect(':');
            if (map.put(k, value(depth + 1)) != null) throw error("duplicate key '" + k + "'");
            skipSpace();
            if (!peek(',')) {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> sequence(char close, int depth) throws IOException {
        pos++;
        List<Object> items = new ArrayList<>();
        while (true) {
            skipSpace();
            if (peek(close)) return items;
            items.add(value(depth + 1));
            skipSpace();
            if (!peek(',')) {
                expect(close);
                return items;
            }
        }
    }

    private String string(char quote) throws IOException {
        StringBuilder s = new StringBuilder();
        for (pos++; pos < text.length(); pos++) {
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                return s.toString();
            }
            // Dtype strings and keys hold no escapes; keep the escaped character as it is.
            if (c == '\\' && pos + 1 < text.length()) c = text.charAt(++pos);
            s.append(c);
        }
        throw error("unterminated string");
    }

    private Long integer() throws IOException {
        int start = pos;
        if (text.charAt(pos) == '-') pos++;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        String digits = text.substring(start, pos);
        // Python 2 wrote long integers with an L suffix, e.g. (3L, 4L).
        if (pos < text.length() && text.charAt(pos) == 'L') pos++;
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("bad integer '" + digits + "'");
        }
    }

    private Object name() throws IOException {
        int start = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) pos++;
        String name = text.substring(start, pos);
        switch (name) {
            case "True":
                return Boolean.TRUE;
            case "False":
                return Boolean.FALSE;
            case "None":
                return NONE;
            default:
                pos = start;
                throw error("unexpected character '" + text.charAt(start) + "'");
        }
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private boolean peek(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws IOException {
        if (!peek(c)) throw error("expected '" + c + "'");
    }

    private IOException error(String what) {
        return new IOException("malformed .npy header: " + what + " at character " + pos + " of " + abbreviated());
    }

    private String abbreviated() {
        return text.length() <= 200 ? "\"" + text.strip() + "\"" : "\"" + text.substring(0, 200) + "...\"";
    }
}
