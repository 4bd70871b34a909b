package dev.spur.runtime.java;

import static dev.spur.runtime.java.TestInvocations.bytes;
import static dev.spur.runtime.java.TestInvocations.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import fixtures.Greeter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Event JSON to handler types and back, through aws-lambda-java-serialization as AWS's runtime uses
 * it. The event documents are AWS's documented examples.
 */
class PojoCodecTest {
    private static final ClassLoader LOADER = PojoCodecTest.class.getClassLoader();

    private static Object read(Type type, String json) {
        return PojoCodec.prepare(type, null, LOADER).read(bytes(json));
    }

    private static String write(Type type, Object value) {
        return text(PojoCodec.prepare(null, type, LOADER).write(value));
    }

    private static String event(String name) throws IOException {
        try (InputStream in = PojoCodecTest.class.getResourceAsStream("/events/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void pojoWithPublicFieldsIsRead() {
        Greeter.Person person =
                (Greeter.Person) read(Greeter.Person.class, "{\"name\":\"Ada\",\"age\":36,\"unknown\":true}");
        assertThat(person.name).isEqualTo("Ada");
        assertThat(person.age).isEqualTo(36);
    }

    @Test
    void pojoWithGettersIsWritten() {
        assertThat(write(Greeter.Greeting.class, new Greeter.Greeting("hi"))).isEqualTo("{\"message\":\"hi\"}");
    }

    @Test
    void mapsListsStringsAndNumbersRoundTrip() throws NoSuchMethodException {
        Type mapOfObjects = Holder.class.getMethod("map").getGenericReturnType();
        assertThat(read(mapOfObjects, "{\"a\":[1,\"two\",null],\"b\":{\"c\":true}}"))
                .isEqualTo(Map.of("a", Arrays.asList(1, "two", null), "b", Map.of("c", true)));
        assertThat(read(String.class, "\"text\"")).isEqualTo("text");
        assertThat(read(Integer.class, "42")).isEqualTo(42);
        assertThat(read(int.class, "7")).isEqualTo(7);
        assertThat(write(String.class, "text")).isEqualTo("\"text\"");
        assertThat(write(Long.class, 42L)).isEqualTo("42");
        assertThat(write(List.class, List.of(1, "a"))).isEqualTo("[1,\"a\"]");
        assertThat(write(Object.class, null)).isEqualTo("null");
    }

    @Test
    void voidHandlersProduceNull() {
        assertThat(text(PojoCodec.prepare(null, null, LOADER).write("ignored"))).isEqualTo("null");
    }

    @Test
    void httpApiEventIsReadWithItsFieldsPopulated() throws IOException {
        APIGatewayV2HTTPEvent event =
                (APIGatewayV2HTTPEvent) read(APIGatewayV2HTTPEvent.class, event("apigateway-v2-http.json"));
        assertThat(event.getVersion()).isEqualTo("2.0");
        assertThat(event.getRouteKey()).isEqualTo("$default");
        assertThat(event.getRawPath()).isEqualTo("/my/path");
        assertThat(event.getRawQueryString()).isEqualTo("parameter1=value1&parameter1=value2&parameter2=value");
        assertThat(event.getCookies()).containsExactly("cookie1", "cookie2");
        assertThat(event.getHeaders()).containsEntry("header2", "value1,value2");
        assertThat(event.getQueryStringParameters()).containsEntry("parameter2", "value");
        assertThat(event.getPathParameters()).containsEntry("parameter1", "value1");
        assertThat(event.getStageVariables()).containsEntry("stageVariable1", "value1");
        assertThat(event.getBody()).isEqualTo("Hello from Lambda");
        assertThat(event.getIsBase64Encoded()).isFalse();
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        assertThat(context.getAccountId()).isEqualTo("123456789012");
        assertThat(context.getDomainName()).isEqualTo("id.execute-api.us-east-1.amazonaws.com");
        assertThat(context.getHttp().getMethod()).isEqualTo("POST");
        assertThat(context.getHttp().getSourceIp()).isEqualTo("192.0.2.1");
        assertThat(context.getTimeEpoch()).isEqualTo(1583348638390L);
        assertThat(context.getAuthorizer().getJwt().getClaims()).containsEntry("claim1", "value1");
        assertThat(context.getAuthorizer().getJwt().getScopes()).containsExactly("scope1", "scope2");
    }

    @Test
    void httpApiResponseIsWrittenWithLambdasFieldNames() {
        APIGatewayV2HTTPResponse response = APIGatewayV2HTTPResponse.builder()
                .withStatusCode(201)
                .withHeaders(Map.of("content-type", "text/plain"))
                .withBody("created")
                .build();
        Object json = Json.parse(write(APIGatewayV2HTTPResponse.class, response));
        assertThat(json)
                .isEqualTo(Map.of(
                        "statusCode",
                        201.0,
                        "headers",
                        Map.of("content-type", "text/plain"),
                        "body",
                        "created",
                        "isBase64Encoded",
                        false));
    }

    @Test
    void sqsEventIsReadThroughItsMixins() throws IOException {
        SQSEvent event = (SQSEvent) read(SQSEvent.class, event("sqs.json"));
        SQSEvent.SQSMessage message = event.getRecords().get(0);
        assertThat(message.getMessageId()).isEqualTo("059f36b4-87a3-44ab-83d2-661975830a7d");
        assertThat(message.getBody()).isEqualTo("Test message.");
        assertThat(message.getEventSourceArn()).isEqualTo("arn:aws:sqs:us-east-2:123456789012:my-queue");
        assertThat(message.getAttributes()).containsEntry("ApproximateReceiveCount", "1");
    }

    @Test
    void scheduledEventIsReadWithItsDetailTypeAndTime() throws IOException {
        ScheduledEvent event = (ScheduledEvent) read(ScheduledEvent.class, event("scheduled.json"));
        assertThat(event.getDetailType()).isEqualTo("Scheduled Event");
        assertThat(event.getSource()).isEqualTo("aws.events");
        assertThat(event.getTime().getMillis()).isEqualTo(1551403425000L);
        assertThat(event.getResources()).containsExactly("arn:aws:events:us-east-1:123456789012:rule/my-schedule");
    }

    /** Generic types as a handler signature would declare them. */
    interface Holder {
        Map<String, Object> map();
    }
}
