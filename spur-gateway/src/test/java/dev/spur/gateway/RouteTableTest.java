package dev.spur.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Route keys and route choice, after "Working with routes for HTTP APIs" (API Gateway guide). */
class RouteTableTest {

    @Test
    void parsesMethodPathAndVariables() {
        RouteKey key = RouteKey.parse("GET /pets/{petID}/toys/{rest+}");

        assertThat(key.method()).isEqualTo("GET");
        assertThat(key.path()).isEqualTo("/pets/{petID}/toys/{rest+}");
        assertThat(key.parameterNames()).containsExactly("petID", "rest");
        assertThat(key.isDefault()).isFalse();
        assertThat(key)
                .hasToString("GET /pets/{petID}/toys/{rest+}")
                .isEqualTo(RouteKey.parse("GET /pets/{petID}/toys/{rest+}"));
        assertThat(RouteKey.parse("$default")).isSameAs(RouteKey.DEFAULT);
        assertThat(RouteKey.DEFAULT.isDefault()).isTrue();
        assertThat(RouteKey.parse("ANY /").parameterNames()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "GET",
                "get /pets",
                "TRACE /pets",
                "GET  /pets",
                "GET pets",
                "GET /pets/",
                "GET //pets",
                "GET /{proxy+}/pets",
                "GET /pets/{id",
                "GET /pets/id}",
                "GET /pets/{}",
                "GET /pets/{a b}",
                "GET /pets/x{id}",
                "GET /a/{id}/b/{id}",
                "GET /a b",
                "$Default",
                "ANY /{+}"
            })
    void refusesWhatApiGatewayRefuses(String routeKey) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RouteKey.parse(routeKey))
                .withMessageNotContaining("null");
    }

    @Test
    void greedyVariableMustBeLastAndMessageSaysSo() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RouteKey.parse("ANY /{proxy+}/x"))
                .withMessage("greedy path variable '{proxy+}' must be the last segment of the path, was '/{proxy+}/x'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RouteKey.parse("FETCH /x"))
                .withMessageContaining("was 'FETCH'");
    }

    /** The five routes of the guide's routing example, and which one each request reaches. */
    @Test
    void mostSpecificRouteWinsAsInTheGuide() {
        RouteTable<String> table = RouteTable.of(
                routes("GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"));

        assertThat(route(table, "GET", "/pets/dog/1")).isEqualTo("GET /pets/dog/1");
        assertThat(route(table, "GET", "/pets/dog/2")).isEqualTo("GET /pets/dog/{id}");
        assertThat(route(table, "GET", "/pets/cat/1")).isEqualTo("GET /pets/{proxy+}");
        assertThat(route(table, "POST", "/pets/dog/1")).isEqualTo("ANY /{proxy+}");
        assertThat(route(table, "GET", "/")).isEqualTo("$default");
    }

    @Test
    void literalBeatsVariableBeatsGreedyAtTheFirstSegmentThatDiffers() {
        RouteTable<String> table =
                RouteTable.of(routes("GET /a/{x}/c", "GET /a/b/{y}", "GET /{proxy+}", "GET /a/{x}/{z}"));

        assertThat(route(table, "GET", "/a/b/c")).isEqualTo("GET /a/b/{y}");
        assertThat(route(table, "GET", "/a/q/c")).isEqualTo("GET /a/{x}/c");
        assertThat(route(table, "GET", "/a/q/r")).isEqualTo("GET /a/{x}/{z}");
        assertThat(route(table, "GET", "/a/q/r/s")).isEqualTo("GET /{proxy+}");
    }

    @Test
    void methodRouteBeatsAnyOnTheSamePathButAFullMatchWithAnyBeatsAGreedyMethodRoute() {
        RouteTable<String> table = RouteTable.of(routes("ANY /pets", "GET /pets", "GET /{proxy+}"));

        assertThat(route(table, "GET", "/pets")).isEqualTo("GET /pets");
        assertThat(route(table, "DELETE", "/pets")).isEqualTo("ANY /pets");
        assertThat(route(table, "HEAD", "/pets")).isEqualTo("ANY /pets");
        assertThat(route(table, "DELETE", "/other")).isEqualTo("none");
    }

    @Test
    void pathParametersAreDecodedAndGreedyTakesTheRest() {
        RouteTable<String> table = RouteTable.of(routes("GET /pets/{id}", "ANY /items/{proxy+}"));

        Optional<RouteTable.Match<String>> pet = table.match("GET", "/pets/a%20b%2Fc+d");
        assertThat(pet).get().extracting(RouteTable.Match::pathParameters).isEqualTo(Map.of("id", "a b/c+d"));
        assertThat(pet.get().target()).isEqualTo("GET /pets/{id}");
        assertThat(table.match("PUT", "/items/x/y%C3%A9/z").orElseThrow().pathParameters())
                .containsExactly(Map.entry("proxy", "x/yé/z"));
        assertThat(table.match("GET", "/pets/%zz").orElseThrow().pathParameters())
                .containsEntry("id", "%zz");
    }

    @Test
    void greedyNeedsAtLeastOneSegmentAndVariablesNeedNonEmptySegments() {
        RouteTable<String> table = RouteTable.of(routes("ANY /items/{proxy+}", "GET /pets/{id}"));

        assertThat(table.match("GET", "/items")).isEmpty();
        assertThat(table.match("GET", "/items/")).isEmpty();
        assertThat(table.match("GET", "/items/a/").orElseThrow().pathParameters())
                .containsEntry("proxy", "a/");
        assertThat(table.match("GET", "/pets/")).isEmpty();
    }

    @Test
    void pathIsCaseSensitiveAndTrailingSlashIsADifferentPath() {
        RouteTable<String> table = RouteTable.of(routes("GET /pets", "$default"));

        assertThat(route(table, "GET", "/pets")).isEqualTo("GET /pets");
        assertThat(route(table, "GET", "/Pets")).isEqualTo("$default");
        assertThat(route(table, "GET", "/pets/")).isEqualTo("$default");
        assertThat(route(table, "get", "/pets")).isEqualTo("$default");
    }

    @Test
    void defaultMatchHasNoPathParametersAndWithoutDefaultNothingMatches() {
        RouteTable<String> withDefault = RouteTable.of(routes("$default"));
        RouteTable.Match<String> match =
                withDefault.match("PATCH", "/any/thing").orElseThrow();
        assertThat(match.routeKey()).isSameAs(RouteKey.DEFAULT);
        assertThat(match.pathParameters()).isEmpty();

        assertThat(RouteTable.of(routes("GET /a")).match("GET", "/b")).isEmpty();
        assertThat(RouteTable.<String>of(List.of()).match("GET", "/")).isEmpty();
    }

    @Test
    void rootRouteMatchesOnlyTheRoot() {
        RouteTable<String> table = RouteTable.of(routes("GET /"));

        assertThat(route(table, "GET", "/")).isEqualTo("GET /");
        assertThat(route(table, "GET", "/x")).isEqualTo("none");
    }

    @Test
    void duplicateOrAmbiguousRoutesAreRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RouteTable.of(routes("GET /a", "GET /a")))
                .withMessage("route 'GET /a' appears twice");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RouteTable.of(routes("GET /a/{x}", "GET /a/{y}")))
                .withMessage("routes 'GET /a/{x}' and 'GET /a/{y}' match the same requests");
        assertThatIllegalArgumentException().isThrownBy(() -> RouteTable.of(routes("$default", "$default")));
        RouteTable.of(routes("GET /a/{x}", "POST /a/{y}", "GET /a/{x+}"));
    }

    private static List<Map.Entry<RouteKey, String>> routes(String... keys) {
        return Arrays.stream(keys).map(k -> Map.entry(RouteKey.parse(k), k)).toList();
    }

    private static String route(RouteTable<String> table, String method, String path) {
        return table.match(method, path).map(RouteTable.Match::target).orElse("none");
    }
}
