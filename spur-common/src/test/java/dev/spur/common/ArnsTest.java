package dev.spur.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every form Lambda accepts for FunctionName. */
class ArnsTest {
    private static Arns.FunctionRef parse(String text) {
        return Arns.parseFunctionRef(text, "000000000000", "us-east-1");
    }

    @Test
    void plainName() {
        assertThat(parse("my-fn_1"))
                .isEqualTo(new Arns.FunctionRef(
                        new FunctionKey("000000000000", "us-east-1", "my-fn_1"), Optional.empty()));
    }

    @Test
    void nameWithQualifier() {
        assertThat(parse("my-fn:$LATEST").qualifier()).contains("$LATEST");
        assertThat(parse("my-fn:prod").qualifier()).contains("prod");
    }

    @Test
    void partialArn() {
        Arns.FunctionRef ref = parse("123456789012:function:my-fn:7");
        assertThat(ref.key()).isEqualTo(new FunctionKey("123456789012", "us-east-1", "my-fn"));
        assertThat(ref.qualifier()).contains("7");
    }

    @Test
    void fullArnNamesItsOwnAccountAndRegion() {
        Arns.FunctionRef ref = parse("arn:aws:lambda:eu-west-1:123456789012:function:my-fn");
        assertThat(ref.key()).isEqualTo(new FunctionKey("123456789012", "eu-west-1", "my-fn"));
        assertThat(ref.key().arn()).isEqualTo("arn:aws:lambda:eu-west-1:123456789012:function:my-fn");
    }

    @Test
    void malformedNamesAreInvalidParameters() {
        for (String bad : new String[] {"", "has space", "a/b", "arn:aws:s3:::bucket", "x".repeat(65)}) {
            assertThatThrownBy(() -> parse(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            LambdaException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        }
    }
}
