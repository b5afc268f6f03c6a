package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Cutting SQL scripts into statements: semicolons in strings, identifiers, comments and statement sets stay. */
class SqlScriptTest {
    private static List<String> texts(String script) {
        return SqlScript.split(script).stream().map(SqlScript.Statement::text).toList();
    }

    @Test
    void semicolonsEndStatementsOnlyOutsideQuotesAndComments() {
        assertEquals(List.of("SELECT 'a;b', `c;d`, \"e;f\"", "-- x; y\nSELECT 1 /* ; */", "SELECT 'it''s;'"),
                texts("SELECT 'a;b', `c;d`, \"e;f\";\n-- x; y\nSELECT 1 /* ; */;\n\n  SELECT 'it''s;'  "));
    }

    @Test
    void blankAndCommentOnlyStatementsAreDroppedAndLinesCounted() {
        List<SqlScript.Statement> s = SqlScript.split("-- header\n;\n\nCREATE TABLE t (a INT)\n  WITH ();\n/* two\nlines */ SELECT 1;");
        assertEquals(2, s.size());
        assertEquals(4, s.get(0).line());
        assertEquals(7, s.get(1).line());
        assertEquals("SELECT 1", s.get(1).summary());
        assertEquals("CREATE TABLE t (a INT) WITH ()", s.get(0).code());
    }

    @Test
    void aStatementSetIsOneStatement() {
        assertEquals(List.of("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END", "SELECT 3"),
                texts("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END; SELECT 3;"));
    }

    @Test
    void anUnclosedQuoteIsAUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> SqlScript.split("SELECT 'oops;"));
        assertEquals("the script ends inside a quoted string opened by '", e.getMessage());
    }
}
