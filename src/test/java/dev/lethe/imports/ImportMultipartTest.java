package dev.lethe.imports;

import static dev.lethe.imports.ImportTest.csv;
import static dev.lethe.imports.ImportTest.upload;
import static dev.lethe.imports.ImportTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testing.TestDatabase;
import dev.lethe.testing.TestLethe;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An import uploaded as a browser's form (multipart/form-data) previews exactly as the same file
 * sent as text/csv; hostile forms are refused saying why and keep nothing; the upload limit holds
 * for the form's file; and the file is never spooled in the clear to a temporary file, neither
 * while it arrives nor after.
 */
class ImportMultipartTest {

    /** A recognisable value: no file on disk may hold it. */
    static final String EMAIL = "quokka.multipart@upload.example";

    static final String BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

    static final String FILE = "email,traits.firstName\r\n" + EMAIL + ",Quentin\r\n"
            + "numbat.multipart@upload.example,Nora\r\n"
            + "not-an-email,Zed\r\n";

    /** The limit of the server under test: above one sealed chunk (1 MiB), so a chunk is written first. */
    static final long LIMIT = 1_500_000;

    /** A part as a browser writes it: CRLF line ends, a filename, the file's type. */
    static String part(String disposition, String type, String content) {
        return "--" + BOUNDARY + "\r\n" + "Content-Disposition: " + disposition + "\r\n"
                + (type == null ? "" : "Content-Type: " + type + "\r\n") + "\r\n" + content + "\r\n";
    }

    static String form(String... parts) {
        return String.join("", parts) + "--" + BOUNDARY + "--\r\n";
    }

    static String filePart(String content) {
        return part("form-data; name=\"file\"; filename=\"people.csv\"", "text/csv", content);
    }

    static ImportTest.Answer sendForm(TestLethe lethe, String key, String body) throws Exception {
        return upload(lethe, key, null, csv(body), "multipart/form-data; boundary=" + BOUNDARY);
    }

    // one server per database for both halves: a server's start is most of the time they take
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lethe.testing.TestDatabases#all")
    void formUploadsReadAsCsvBodiesAndHostileOnesAreRefused(TestDatabase engine) throws Exception {
        Instant start = Instant.now().minusSeconds(2);
        try (var lethe = ImportTest.lethe(engine, LIMIT)) {
            var a = ImportTest.tenant(lethe);
            hostileFormsAreRefusedSayingWhyAndKeepNothing(lethe, a.adminKey());
            aFormUploadPreviewsAsTheSameFileSentAsCsvAndSpoolsNothing(lethe, a.adminKey(), start);
        }
    }

    static void aFormUploadPreviewsAsTheSameFileSentAsCsvAndSpoolsNothing(
            TestLethe lethe, String adminKey, Instant start) throws Exception {
        // one after another: each preview staged before the next upload
        var asCsv = upload(lethe, adminKey, null, csv(FILE), "text/csv");
        assertThat(asCsv.status()).as(asCsv.toString()).isEqualTo(202);
        String csvId = asCsv.json().get("id").asText();
        JsonNode csvJob = waitFor(lethe, adminKey, csvId, "staged");
        var asForm = sendForm(lethe, adminKey, form(filePart(FILE)));
        assertThat(asForm.status()).as(asForm.toString()).isEqualTo(202);
        assertThat(asForm.location())
                .isEqualTo("/v1/jobs/" + asForm.json().get("id").asText());
        assertSamePreview(lethe, adminKey, asForm, csvId, csvJob);
        // Windows browsers name a .csv file Excel's type; a client may name none, and a file may
        // end its lines with LF alone
        var excel = sendForm(
                lethe,
                adminKey,
                form(part("form-data; name=\"file\"; filename=\"Book1.csv\"", "application/vnd.ms-excel", FILE)));
        assertSamePreview(lethe, adminKey, excel, csvId, csvJob);
        var bare = sendForm(lethe, adminKey, form(part("form-data; name=\"file\"", null, FILE.replace("\r\n", "\n"))));
        assertSamePreview(lethe, adminKey, bare, csvId, csvJob);
        assertThat(csvJob.get("result").get("create").asInt()).isEqualTo(2);
        assertThat(csvJob.get("result").get("error").asInt()).isEqualTo(1);

        // while a form's file arrives — its first sealed chunk written — and after it is
        // refused for its size, no file on disk holds it in the clear
        var big = new StringBuilder("email\r\n" + EMAIL + "\r\n");
        while (big.length() < LIMIT + 100_000) big.append("padding.row@upload.example\r\n");
        byte[] body = csv(form(filePart(big.toString())));
        var paused = new PausingBody(body, 1_200_000);
        var request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + lethe.lethe().port() + "/v1/imports"))
                .header("Authorization", "Bearer " + adminKey)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> paused))
                .build();
        try (var client = HttpClient.newHttpClient()) {
            var answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
            Instant deadline = Instant.now().plusSeconds(60);
            while (lethe.count("select count(*) from job_chunks c join jobs j on j.job_id = c.job_id"
                            + " where j.state = 'uploading'")
                    == 0) {
                assertThat(Instant.now()).as("the first chunk is sealed").isBefore(deadline);
                Thread.sleep(20);
            }
            assertNoFileHoldsTheEmail(start, lethe.dataDir());
            paused.resume.countDown();
            var r = answer.get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(ImportTest.JSON
                            .readTree(r.body())
                            .get("errors")
                            .get(0)
                            .get("path")
                            .asText())
                    .isEqualTo("body");
        }
        assertThat(lethe.count(
                        "select count(*) from job_chunks where job_id not in (?, ?, ?, ?)",
                        java.util.UUID.fromString(csvId),
                        java.util.UUID.fromString(asForm.json().get("id").asText()),
                        java.util.UUID.fromString(excel.json().get("id").asText()),
                        java.util.UUID.fromString(bare.json().get("id").asText())))
                .isZero();
        assertNoFileHoldsTheEmail(start, lethe.dataDir());
    }

    static void hostileFormsAreRefusedSayingWhyAndKeepNothing(TestLethe lethe, String key) throws Exception {
        // no boundary: refused before anything is read
        var noBoundary = upload(lethe, key, null, csv(form(filePart(FILE))), "multipart/form-data");
        assertRefused(noBoundary, 400, "Content-Type", "boundary");
        // a form without a file part
        assertRefused(sendForm(lethe, key, form(part("form-data; name=\"note\"", null, "hello"))), 400, "body", "file");
        // a part that is not form-data
        assertRefused(
                sendForm(lethe, key, form(part("attachment; name=\"file\"", "text/csv", FILE))), 400, "body", "file");
        // no part at all
        assertRefused(sendForm(lethe, key, form()), 400, "body", "file");
        // two file parts: the second is refused, whole or cut short
        assertRefused(sendForm(lethe, key, form(filePart(FILE), filePart(FILE))), 400, "body", "second part");
        // a body cut short: no closing boundary
        assertRefused(
                sendForm(
                        lethe,
                        key,
                        "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" + FILE),
                400,
                "body",
                "cut short");
        // a body that is no multipart at all
        assertRefused(sendForm(lethe, key, FILE), 400, "body", "cut short");
        // part headers beyond their limit
        assertRefused(
                sendForm(
                        lethe,
                        key,
                        form(part(
                                "form-data; name=\"file\"; filename=\"" + "a".repeat(10_000) + ".csv\"",
                                "text/csv",
                                FILE))),
                400,
                "body",
                "headers");
        // a file in another media type
        assertRefused(
                sendForm(
                        lethe,
                        key,
                        form(part("form-data; name=\"file\"; filename=\"people.json\"", "application/json", "{}"))),
                415,
                "file",
                "text/csv");
        // an empty file, as the empty body of text/csv
        var empty = sendForm(lethe, key, form(filePart("")));
        assertThat(empty.status()).as(empty.toString()).isEqualTo(422);
        // a client that stops sending in the form's first part (its connection half closed, the
        // body shorter than its Content-Length): the 400 of a body cut short, not a 500
        assertThat(stopSendingMidForm(lethe, key)).startsWith("HTTP/1.1 400");
        // (too large: 413, below)

        // nothing was kept: no chunk, no person, no import under way
        assertThat(lethe.count("select count(*) from job_chunks")).isZero();
        assertThat(lethe.count("select count(*) from subjects")).isZero();
        assertThat(lethe.count("select count(*) from jobs where state <> 'failed'"))
                .isZero();
    }

    /** Sends the start of a form over a raw socket, closes its sending side, reads the status line. */
    static String stopSendingMidForm(TestLethe lethe, String key) throws IOException {
        String start = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nemail,na";
        try (var socket = new java.net.Socket("127.0.0.1", lethe.lethe().port())) {
            socket.setSoTimeout(30_000);
            var out = socket.getOutputStream();
            out.write(("POST /v1/imports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                            + "\r\nContent-Type: multipart/form-data; boundary=" + BOUNDARY
                            + "\r\nContent-Length: 100000\r\n\r\n" + start)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.shutdownOutput();
            var reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            return String.valueOf(reader.readLine());
        }
    }

    static void assertSamePreview(
            TestLethe lethe, String adminKey, ImportTest.Answer form, String csvId, JsonNode csvJob)
            throws InterruptedException {
        assertThat(form.status()).as(form.toString()).isEqualTo(202);
        String id = form.json().get("id").asText();
        assertThat(waitFor(lethe, adminKey, id, "staged").get("result")).isEqualTo(csvJob.get("result"));
        assertThat(preview(lethe, adminKey, id)).isEqualTo(preview(lethe, adminKey, csvId));
    }

    static void assertRefused(ImportTest.Answer answer, int status, String path, String saying) {
        assertThat(answer.status()).as(String.valueOf(answer)).isEqualTo(status);
        var error = answer.json().get("errors").get(0);
        assertThat(error.get("path").asText()).as(String.valueOf(answer)).isEqualTo(path);
        assertThat(error.get("message").asText()).as(String.valueOf(answer)).contains(saying);
    }

    static List<JsonNode> preview(TestLethe lethe, String key, String id) {
        var out = new ArrayList<JsonNode>();
        lethe.http()
                .get("/v1/imports/" + id + "/preview?limit=100", key)
                .json()
                .get("rows")
                .forEach(out::add);
        return out;
    }

    /**
     * No file written since {@code since} under the temporary directory (where a servlet container
     * spools uploads: Javalin's multipart configuration puts its files there) or the server's data
     * directory holds the email. Files of other processes come and go there: one that vanishes or
     * cannot be read is passed over.
     */
    static void assertNoFileHoldsTheEmail(Instant since, Path dataDir) throws IOException {
        byte[] needle = EMAIL.getBytes(StandardCharsets.UTF_8);
        var holding = new ArrayList<Path>();
        for (Path root : List.of(Path.of(System.getProperty("java.io.tmpdir")), dataDir)) {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    // other test servers' data directories (their databases) are theirs; this
                    // server's is walked on its own
                    String name = String.valueOf(dir.getFileName());
                    return !dir.equals(root) && (name.startsWith("lethe-test") || name.startsWith("lethe-process"))
                            ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (!attributes.isRegularFile()
                            || attributes.size() > 64 << 20
                            || attributes.lastModifiedTime().toInstant().isBefore(since))
                        return FileVisitResult.CONTINUE;
                    try {
                        if (indexOf(Files.readAllBytes(file), needle) >= 0) holding.add(file);
                    } catch (IOException | UncheckedIOException e) {
                        // gone or not ours to read
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        assertThat(holding).as("files holding the seeded email in the clear").isEmpty();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** A request body that stops at {@code pauseAt} until the test lets it go on. */
    static final class PausingBody extends InputStream {
        final CountDownLatch resume = new CountDownLatch(1);
        private final byte[] bytes;
        private final int pauseAt;
        private int at;

        PausingBody(byte[] bytes, int pauseAt) {
            this.bytes = bytes;
            this.pauseAt = pauseAt;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (at == pauseAt) {
                try {
                    if (!resume.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("never resumed");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (at >= bytes.length) return -1;
            int end = Math.min(at < pauseAt ? pauseAt : bytes.length, at + length);
            int n = end - at;
            System.arraycopy(bytes, at, into, offset, n);
            at = end;
            return n;
        }
    }
}
