package dev.spur.runtime.java;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.Map;

/**
 * The {@link Context} handed to user code for one invocation: the function's identity from the
 * environment, the rest from the {@code next} headers. The client context and identity are parsed
 * when first asked for, with the shapes AWS's Java runtime gives them ({@code client}, {@code custom},
 * {@code env}; {@code cognitoIdentityId}, {@code cognitoIdentityPoolId}).
 */
final class InvocationContext implements Context {
    private final FunctionEnvironment function;
    private final Invocation invocation;
    private ClientContext clientContext;
    private CognitoIdentity identity;

    InvocationContext(FunctionEnvironment function, Invocation invocation) {
        this.function = function;
        this.invocation = invocation;
    }

    @Override
    public String getAwsRequestId() {
        return invocation.requestId();
    }

    @Override
    public String getLogGroupName() {
        return function.logGroupName();
    }

    @Override
    public String getLogStreamName() {
        return function.logStreamName();
    }

    @Override
    public String getFunctionName() {
        return function.functionName();
    }

    @Override
    public String getFunctionVersion() {
        return function.functionVersion();
    }

    @Override
    public String getInvokedFunctionArn() {
        return invocation.functionArn();
    }

    @Override
    public String getXrayTraceId() {
        return invocation.traceId();
    }

    /** Null when the invoke carried no identity, as on AWS. */
    @Override
    public CognitoIdentity getIdentity() {
        if (identity == null
                && invocation.cognitoIdentity() != null
                && !invocation.cognitoIdentity().isEmpty()) {
            Map<?, ?> json = object(Json.parse(invocation.cognitoIdentity()));
            identity = new Identity(string(json.get("cognitoIdentityId")), string(json.get("cognitoIdentityPoolId")));
        }
        return identity;
    }

    /** Null when the invoke carried no client context, as on AWS. */
    @Override
    public ClientContext getClientContext() {
        if (clientContext == null
                && invocation.clientContext() != null
                && !invocation.clientContext().isEmpty()) {
            Map<?, ?> json = object(Json.parse(invocation.clientContext()));
            Map<?, ?> client = json.get("client") instanceof Map<?, ?> m ? m : null;
            clientContext = new MobileClientContext(
                    client == null ? null : new MobileClient(client),
                    strings(json.get("custom")),
                    strings(json.get("env")));
        }
        return clientContext;
    }

    @Override
    public int getRemainingTimeInMillis() {
        long left = invocation.deadlineMs() - System.currentTimeMillis();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public int getMemoryLimitInMB() {
        return function.memoryMb();
    }

    @Override
    public LambdaLogger getLogger() {
        return StdoutLogger.forRequest(invocation.requestId());
    }

    private static Map<?, ?> object(Object json) {
        if (json instanceof Map<?, ?> map) {
            return map;
        }
        throw new IllegalArgumentException("expected a JSON object");
    }

    private static String string(Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        // numbers parse as doubles; keep integral ones looking as they were sent
        return value instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue()) : value.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> strings(Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            return null;
        }
        Map<Object, Object> copy = (Map<Object, Object>) map;
        copy.replaceAll((k, v) -> string(v));
        return (Map<String, String>) (Map<?, ?>) copy;
    }

    private record Identity(String getIdentityId, String getIdentityPoolId) implements CognitoIdentity {}

    private record MobileClientContext(
            Client getClient, Map<String, String> getCustom, Map<String, String> getEnvironment)
            implements ClientContext {}

    private record MobileClient(
            String getInstallationId,
            String getAppTitle,
            String getAppVersionName,
            String getAppVersionCode,
            String getAppPackageName)
            implements Client {
        MobileClient(Map<?, ?> json) {
            this(
                    string(json.get("installation_id")),
                    string(json.get("app_title")),
                    string(json.get("app_version_name")),
                    string(json.get("app_version_code")),
                    string(json.get("app_package_name")));
        }
    }
}
