package io.hdf5flink.table;

import java.math.BigDecimal;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.functions.FunctionDefinition;

/**
 * The rows {@code [first, end)} a scan reads, narrowed by comparisons of the row-index column
 * with whole numbers ({@code idx >= 1000}, {@code idx < 2000}, {@code idx = 7}, and {@code
 * BETWEEN}, which the planner splits into two). Other filters narrow nothing.
 */
@Internal
record RowRange(long first, long end) implements java.io.Serializable {
    static RowRange all(long rows) {
        return new RowRange(0, rows);
    }

    boolean isEmpty() {
        return end <= first;
    }

    long rows() {
        return Math.max(0, end - first);
    }

    /** This range narrowed by {@code filter} on column {@code rowIndex}, or null when the filter says nothing about it. */
    RowRange narrowedBy(ResolvedExpression filter, String rowIndex) {
        if (!(filter instanceof CallExpression call)) return null;
        List<ResolvedExpression> args = call.getResolvedChildren();
        FunctionDefinition f = call.getFunctionDefinition();
        if (f == BuiltInFunctionDefinitions.AND) {
            // Each conjunct that compares the row index narrows; the others narrow nothing.
            RowRange narrowed = null;
            for (ResolvedExpression arg : args) {
                RowRange next = (narrowed != null ? narrowed : this).narrowedBy(arg, rowIndex);
                if (next != null) narrowed = next;
            }
            return narrowed;
        }
        if (args.size() != 2) return null;
        boolean fieldLeft = isField(args.get(0), rowIndex);
        if (!fieldLeft && !isField(args.get(1), rowIndex)) return null;
        Long value = wholeNumber(args.get(fieldLeft ? 1 : 0));
        if (value == null) return null;
        long v = value;
        // With the field on the right, "5 < idx" reads as "idx > 5".
        if (f == BuiltInFunctionDefinitions.EQUALS) return narrowed(v, v + 1);
        if (f == BuiltInFunctionDefinitions.GREATER_THAN) return fieldLeft ? narrowed(v + 1, Long.MAX_VALUE) : narrowed(Long.MIN_VALUE, v);
        if (f == BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL) return fieldLeft ? narrowed(v, Long.MAX_VALUE) : narrowed(Long.MIN_VALUE, v + 1);
        if (f == BuiltInFunctionDefinitions.LESS_THAN) return fieldLeft ? narrowed(Long.MIN_VALUE, v) : narrowed(v + 1, Long.MAX_VALUE);
        if (f == BuiltInFunctionDefinitions.LESS_THAN_OR_EQUAL) return fieldLeft ? narrowed(Long.MIN_VALUE, v + 1) : narrowed(v, Long.MAX_VALUE);
        return null;
    }

    private RowRange narrowed(long lo, long hi) {
        return new RowRange(Math.max(first, lo), Math.max(Math.max(first, lo), Math.min(end, hi)));
    }

    private static boolean isField(ResolvedExpression e, String name) {
        return e instanceof FieldReferenceExpression ref && ref.getName().equals(name);
    }

    private static Long wholeNumber(ResolvedExpression e) {
        if (!(e instanceof ValueLiteralExpression literal)) return null;
        Object value = literal.getValueAs(Object.class).orElse(null);
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return wholeNumber(((Number) value).longValue());
        }
        if (value instanceof BigDecimal d) {
            try {
                return wholeNumber(d.longValueExact());
            } catch (ArithmeticException notWhole) {
                return null;
            }
        }
        return null;
    }

    /** {@code v}, when {@code v + 1} and {@code v - 1} cannot overflow. */
    private static Long wholeNumber(long v) {
        return v > Long.MIN_VALUE + 1 && v < Long.MAX_VALUE - 1 ? v : null;
    }
}
