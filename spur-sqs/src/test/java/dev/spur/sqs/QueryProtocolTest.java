package dev.spur.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The query protocol's flattened parameters become the JSON protocol's shapes, and results become SQS's XML. */
class QueryProtocolTest {
    static JsonNode parse(String form) {
        Map<String, String> params = new LinkedHashMap<>();
        QueryProtocol.decodeForm(form, params);
        return QueryProtocol.toJson(params);
    }

    @Test
    void flattenedMapsAndListsBecomeJsonShapes() {
        JsonNode in = parse("Action=SendMessageBatch&QueueUrl=http%3A%2F%2Fh%2F1%2Fq"
                + "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two+words"
                + "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one"
                + "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k"
                + "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
                + "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v"
                + "&AttributeName.1=All&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5");
        assertThat(in.path("QueueUrl").asText()).isEqualTo("http://h/1/q");
        assertThat(in.path("Entries").get(0).path("Id").asText()).isEqualTo("a");
        assertThat(in.path("Entries").get(1).path("MessageBody").asText()).isEqualTo("two words");
        assertThat(in.path("Entries")
                        .get(0)
                        .path("MessageAttributes")
                        .path("k")
                        .path("StringValue")
                        .asText())
                .isEqualTo("v");
        assertThat(in.path("AttributeNames").get(0).asText()).isEqualTo("All");
        assertThat(in.path("Attributes").path("DelaySeconds").asText()).isEqualTo("5");
        assertThat(in.has("Action")).isFalse();
    }

    @Test
    void resultsAreFlattenedUnderTheirMemberNamesAndTextIsEscaped() throws Exception {
        JsonNode result = Json.MAPPER.readTree("{\"Messages\":[{\"MessageId\":\"m\",\"Body\":\"a<b&c\\r\","
                + "\"Attributes\":{\"SentTimestamp\":\"1\"},"
                + "\"MessageAttributes\":{\"k\":{\"StringValue\":\"v\",\"DataType\":\"String\"}}}]}");
        String xml = QueryProtocol.response("ReceiveMessage", result, "r-1");
        assertThat(xml)
                .contains("<ReceiveMessageResponse xmlns=\"" + QueryProtocol.NAMESPACE + "\"><ReceiveMessageResult>")
                .contains("<Message><MessageId>m</MessageId><Body>a&lt;b&amp;c&#xD;</Body>")
                .contains("<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>")
                .contains("<MessageAttribute><Name>k</Name><Value><StringValue>v</StringValue>"
                        + "<DataType>String</DataType></Value></MessageAttribute>")
                .endsWith("<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></ReceiveMessageResponse>");
        assertThat(QueryProtocol.response("DeleteQueue", null, "r-2")).doesNotContain("DeleteQueueResult");
    }

    @Test
    void errorsAreErrorResponsesWithTheQueryCode() {
        String xml = QueryProtocol.error(SqsException.noQueue(), "r-3");
        assertThat(xml)
                .contains("<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>")
                .contains("<RequestId>r-3</RequestId>");
    }
}
