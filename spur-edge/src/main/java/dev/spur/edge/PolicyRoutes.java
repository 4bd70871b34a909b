package dev.spur.edge;

import static dev.spur.edge.RequestParsing.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.FunctionSettings.PolicyStatement;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.control.ControlResult;
import dev.spur.control.FunctionCommand;
import java.io.IOException;
import java.util.Optional;

/**
 * A function's resource-based policy ({@code /2015-03-31/functions/{name}/policy}) and the settings
 * IaC tools read back beside it: code signing ({@code /2020-06-30/…/code-signing-config}), recursion
 * ({@code /2024-08-31/…/recursion-config}) and runtime management ({@code /2021-07-20/…/runtime-management-config}).
 * Parses into {@link FunctionCommand}s; renders policies as IAM JSON in a string, as Lambda does.
 */
final class PolicyRoutes implements EdgeApi {
    private final ControlCalls calls;

    PolicyRoutes(ControlCalls calls) {
        this.calls = calls;
    }

    @Override
    public void register(Router router) {
        String policy = "/2015-03-31/functions/{name}/policy";
        String recursion = "/2024-08-31/functions/{name}/recursion-config";
        String runtime = "/2021-07-20/functions/{name}/runtime-management-config";
        router.add("POST", policy, calls.answer(201, PolicyRoutes::addPermission))
                .add(
                        "GET",
                        policy,
                        calls.answer(
                                200,
                                (x, c) -> new FunctionCommand.GetPolicy(
                                        c, x.pathParameter("name"), x.query("Qualifier"))))
                .add(
                        "DELETE",
                        policy + "/{sid}",
                        calls.answer(
                                204,
                                (x, c) -> new FunctionCommand.RemovePermission(
                                        c,
                                        x.pathParameter("name"),
                                        x.query("Qualifier"),
                                        x.pathParameter("sid"),
                                        x.query("RevisionId"))))
                .add(
                        "GET",
                        "/2020-06-30/functions/{name}/code-signing-config",
                        calls.answer(
                                200, (x, c) -> new FunctionCommand.GetCodeSigningConfig(c, x.pathParameter("name"))))
                .add(
                        "GET",
                        recursion,
                        calls.answer(
                                200,
                                (x, c) -> new FunctionCommand.RecursionConfig(
                                        c, x.pathParameter("name"), Optional.empty())))
                .add("PUT", recursion, calls.answer(200, (x, c) -> {
                    JsonNode body = RequestParsing.jsonBody(x, FunctionRoutes.MAX_CONTROL_BODY);
                    return new FunctionCommand.RecursionConfig(
                            c, x.pathParameter("name"), Optional.of(required(body, "RecursiveLoop", "recursiveLoop")));
                }))
                .add(
                        "GET",
                        runtime,
                        calls.answer(
                                200,
                                (x, c) -> new FunctionCommand.RuntimeManagementConfig(
                                        c,
                                        x.pathParameter("name"),
                                        x.query("Qualifier"),
                                        Optional.empty(),
                                        Optional.empty())))
                .add("PUT", runtime, calls.answer(200, (x, c) -> {
                    JsonNode body = RequestParsing.jsonBody(x, FunctionRoutes.MAX_CONTROL_BODY);
                    return new FunctionCommand.RuntimeManagementConfig(
                            c,
                            x.pathParameter("name"),
                            x.query("Qualifier"),
                            Optional.of(required(body, "UpdateRuntimeOn", "updateRuntimeOn")),
                            string(body, "RuntimeVersionArn"));
                }));
    }

    static FunctionCommand addPermission(Exchange x, Caller caller) throws IOException {
        JsonNode body = RequestParsing.jsonBody(x, FunctionRoutes.MAX_CONTROL_BODY);
        return new FunctionCommand.AddPermission(
                caller,
                x.pathParameter("name"),
                x.query("Qualifier"),
                required(body, "StatementId", "statementId"),
                required(body, "Action", "action"),
                required(body, "Principal", "principal"),
                string(body, "SourceArn"),
                string(body, "SourceAccount"),
                string(body, "PrincipalOrgID"),
                string(body, "FunctionUrlAuthType"),
                string(body, "EventSourceToken"),
                string(body, "RevisionId"));
    }

    private static String required(JsonNode body, String field, String member) {
        return string(body, field)
                .orElseThrow(() -> LambdaException.invalid(
                        "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must "
                                + "not be null",
                        member));
    }

    static ObjectNode policy(ControlResult.Policy p) throws IOException {
        ObjectNode document = Json.MAPPER.createObjectNode();
        document.put("Version", "2012-10-17");
        document.put("Id", "default");
        ArrayNode statements = document.putArray("Statement");
        p.policy().statements().forEach(s -> statements.add(statement(p.resource(), s)));
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("Policy", Json.MAPPER.writeValueAsString(document));
        node.put("RevisionId", p.policy().revisionId());
        return node;
    }

    /**
     * A statement as IAM writes it: {@code Principal} {@code *}, {@code {"AWS": "arn:aws:iam::<account>:root"}}
     * or {@code {"Service": "<service>"}}; conditions under {@code StringEquals} and {@code ArnLike}.
     */
    static ObjectNode statement(String resource, PolicyStatement s) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("Sid", s.sid());
        node.put("Effect", "Allow");
        if (s.principal().equals("*")) {
            node.put("Principal", "*");
        } else if (s.principal().matches("\\d{12}")) {
            node.putObject("Principal").put("AWS", "arn:aws:iam::" + s.principal() + ":root");
        } else {
            node.putObject("Principal").put("Service", s.principal());
        }
        node.put("Action", s.action());
        node.put("Resource", resource);
        ObjectNode condition = Json.MAPPER.createObjectNode();
        ObjectNode equals = Json.MAPPER.createObjectNode();
        if (!s.sourceAccount().isEmpty()) {
            equals.put("AWS:SourceAccount", s.sourceAccount());
        }
        if (!s.principalOrgId().isEmpty()) {
            equals.put("aws:PrincipalOrgID", s.principalOrgId());
        }
        if (!s.functionUrlAuthType().isEmpty()) {
            equals.put("lambda:FunctionUrlAuthType", s.functionUrlAuthType());
        }
        if (!s.eventSourceToken().isEmpty()) {
            equals.put("lambda:EventSourceToken", s.eventSourceToken());
        }
        if (!equals.isEmpty()) {
            condition.set("StringEquals", equals);
        }
        if (!s.sourceArn().isEmpty()) {
            condition.putObject("ArnLike").put("AWS:SourceArn", s.sourceArn());
        }
        if (!condition.isEmpty()) {
            node.set("Condition", condition);
        }
        return node;
    }
}
