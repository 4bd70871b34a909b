package dev.spur.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Canonical URI and query, as the AWS SDK for Java v2 computes them for non-S3 services. */
class CanonicalTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "/2015-03-31/functions/arn%3Aaws%3Alambda/invocations | /2015-03-31/functions/arn%253Aaws%253Alambda/invocations",
                "''            | /",
                "/             | /",
                "/a//b         | /a/b",
                "/a/./b/../c   | /a/c",
                "/a/b/..       | /a",
                "/a/b/.        | /a/b",
                "/a/b/         | /a/b/",
                "/a//          | /a/",
                "/../a         | /../a",
                "/a/../..      | /..",
                "/a b/é        | /a%20b/%C3%A9",
                "/$d,e;f=g:h@i | /%24d%2Ce%3Bf%3Dg%3Ah%40i",
            })
    void uri(String rawPath, String canonical) {
        assertThat(Canonical.uri(rawPath)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "b=2&a=1                  | a=1&b=2",
                "a=2&a=1&a=10             | a=1&a=10&a=2",
                "flag&x=                  | flag=&x=",
                "=orphan&a=1              | a=1",
                "q=a+b%20c                | q=a%2Bb%20c",
                "q=%7e%2a%2F              | q=~%2A%2F",
                "q=100%                   | q=100%25",
                "X-Amz-Signature=abc&a=1  | a=1",
            })
    void query(String rawQuery, String canonical) {
        assertThat(Canonical.query(rawQuery, true)).isEqualTo(canonical);
    }
}
