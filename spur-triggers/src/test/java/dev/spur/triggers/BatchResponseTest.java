package dev.spur.triggers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Lambda's partial batch response rules, each as AWS documents it. */
class BatchResponseTest {
    static final Set<String> BATCH = Set.of("m1", "m2", "m3");

    static Optional<Set<String>> failures(String response) {
        return BatchResponse.failures(response == null ? null : response.getBytes(StandardCharsets.UTF_8), BATCH);
    }

    @Test
    void anEmptyOrNullListOrResponseIsFullSuccess() {
        assertThat(failures(null)).contains(Set.of());
        assertThat(failures("")).contains(Set.of());
        assertThat(failures("null")).contains(Set.of());
        assertThat(failures("{}")).contains(Set.of());
        assertThat(failures("{\"batchItemFailures\":null}")).contains(Set.of());
        assertThat(failures("{\"batchItemFailures\":[]}")).contains(Set.of());
    }

    @Test
    void onlyTheListedIdsFail() {
        assertThat(failures("{\"batchItemFailures\":[{\"itemIdentifier\":\"m2\"},{\"itemIdentifier\":\"m3\"}]}"))
                .contains(Set.of("m2", "m3"));
    }

    @Test
    void invalidJsonAnUnknownEmptyNullOrMisnamedIdFailsTheWholeBatch() {
        assertThat(failures("{\"batchItemFailures\":[")).isEmpty();
        assertThat(failures("{\"batchItemFailures\":[{\"itemIdentifier\":\"other\"}]}"))
                .isEmpty();
        assertThat(failures("{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}"))
                .isEmpty();
        assertThat(failures("{\"batchItemFailures\":[{\"itemIdentifier\":null}]}"))
                .isEmpty();
        assertThat(failures("{\"batchItemFailures\":[{\"itemId\":\"m1\"}]}")).isEmpty();
    }
}
