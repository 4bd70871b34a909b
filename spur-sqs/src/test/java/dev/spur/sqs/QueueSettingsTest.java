package dev.spur.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Queue attributes validated with SQS's names, ranges and errors. */
class QueueSettingsTest {
    static SqsException.Code code(Runnable r) {
        try {
            r.run();
        } catch (SqsException e) {
            return e.code();
        }
        throw new AssertionError("no error");
    }

    @Test
    void valuesOutsideTheirRangesAreInvalidAttributeValues() {
        QueueSettings standard = QueueSettings.defaults(false);
        for (Map.Entry<String, String> bad : Map.of(
                        "DelaySeconds", "901",
                        "VisibilityTimeout", "43201",
                        "MessageRetentionPeriod", "59",
                        "ReceiveMessageWaitTimeSeconds", "21",
                        "MaximumMessageSize", "1023")
                .entrySet()) {
            assertThat(code(() -> standard.with(Map.of(bad.getKey(), bad.getValue()), false, false)))
                    .as(bad.getKey())
                    .isEqualTo(SqsException.Code.INVALID_ATTRIBUTE_VALUE);
        }
        assertThat(standard.with(Map.of("VisibilityTimeout", "0"), false, false).integer("VisibilityTimeout"))
                .isZero();
    }

    @Test
    void unknownNamesAndFifoOnlyNamesOnAStandardQueueAreInvalidAttributeNames() {
        assertThat(code(() -> QueueSettings.defaults(false).with(Map.of("Colour", "red"), false, false)))
                .isEqualTo(SqsException.Code.INVALID_ATTRIBUTE_NAME);
        assertThat(code(() ->
                        QueueSettings.defaults(false).with(Map.of("ContentBasedDeduplication", "true"), false, false)))
                .isEqualTo(SqsException.Code.INVALID_ATTRIBUTE_NAME);
        assertThat(QueueSettings.defaults(true)
                        .with(Map.of("ContentBasedDeduplication", "true"), true, false)
                        .flag("ContentBasedDeduplication"))
                .isTrue();
    }

    @Test
    void aRedrivePolicyNeedsATargetAndAMaxReceiveCountFrom1To1000() {
        assertThat(QueueSettings.redrive("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:d\","
                                + "\"maxReceiveCount\":\"3\"}")
                        .maxReceiveCount())
                .isEqualTo(3);
        assertThatThrownBy(() -> QueueSettings.redrive(
                        "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:d\",\"maxReceiveCount\":0}"))
                .isInstanceOf(SqsException.class)
                .hasMessageContaining("maxReceiveCount");
        assertThatThrownBy(() -> QueueSettings.redrive("{\"maxReceiveCount\":3}"))
                .isInstanceOf(SqsException.class);
        assertThat(code(() -> QueueSettings.defaults(false)
                        .with(Map.of("RedriveAllowPolicy", "{\"redrivePermission\":\"byQueue\"}"), false, false)))
                .isEqualTo(SqsException.Code.INVALID_PARAMETER_VALUE);
    }
}
