package dev.spur.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class ClusterKeyTest {

    @Test
    void twoNodesGivenTheSameKeyOpenEachOthersSealsAndAgreeOnSignatures() {
        ClusterKey key = ClusterKey.random();
        ClusterKey sameOnAnotherNode = ClusterKey.parse(key.encoded());

        String sealed = key.sealing().seal("secret");
        assertThat(sameOnAnotherNode.sealing().open(sealed)).isEqualTo("secret");
        assertThat(sameOnAnotherNode.checkValue()).isEqualTo(key.checkValue());
        String signature = key.sign("peers", "POST /x");
        assertThat(sameOnAnotherNode.verify("peers", "POST /x", signature)).isTrue();
        assertThat(sameOnAnotherNode.verify("peers", "POST /y", signature)).isFalse();
        assertThat(sameOnAnotherNode.verify("other purpose", "POST /x", signature))
                .isFalse();
    }

    @Test
    void anotherKeyNeitherOpensTheSealsNorPassesTheCheck() {
        ClusterKey key = ClusterKey.random();
        ClusterKey other = ClusterKey.random();

        String sealed = key.sealing().seal("secret");
        assertThatThrownBy(() -> other.sealing().open(sealed)).isInstanceOf(IllegalStateException.class);
        assertThat(other.checkValue()).isNotEqualTo(key.checkValue());
        assertThat(other.verify("peers", "m", key.sign("peers", "m"))).isFalse();
        assertThat(key.checkValue()).doesNotContain(key.encoded());
        assertThat(key.toString()).doesNotContain(key.encoded());
    }

    @Test
    void aKeyThatIsNotBase64OfThirtyTwoBytesIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> ClusterKey.parse("not base64 at all!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("not base64 at all");
        String sixteen = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> ClusterKey.parse(sixteen))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 bytes");
    }
}
