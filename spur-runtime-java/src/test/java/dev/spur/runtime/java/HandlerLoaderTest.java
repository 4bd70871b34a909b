package dev.spur.runtime.java;

import static dev.spur.runtime.java.TestInvocations.bytes;
import static dev.spur.runtime.java.TestInvocations.context;
import static dev.spur.runtime.java.TestInvocations.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fixtures.Methods;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HandlerLoaderTest {
    private static final ClassLoader LOADER = HandlerLoaderTest.class.getClassLoader();

    private static String invoke(String handler, String event) throws Throwable {
        return text(HandlerLoader.load(handler, LOADER).handle(bytes(event), context()));
    }

    @Test
    void requestHandlerClassReadsAndWritesItsTypeArgumentsThroughAGenericSuperclass() throws Throwable {
        assertThat(invoke("fixtures.Greeter", "{\"name\":\"Ada\",\"age\":36}"))
                .isEqualTo("{\"message\":\"Hello Ada (36)\"}");
    }

    @Test
    void requestStreamHandlerClassGetsTheRawEvent() throws Throwable {
        assertThat(invoke("fixtures.Echo", "{\"raw\": [1, 2]}")).isEqualTo("{\"raw\": [1, 2]}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "fixtures.Methods::pojoWithContext  | {\"name\":\"Ada\"}   | '\"Ada@req-1\"'",
                "fixtures.Methods::keys             | {\"a\":1,\"b\":2}    | 2",
                "fixtures.Methods::upper            | '\"spur\"'           | '\"SPUR\"'",
                "fixtures.Methods::twice            | 21                   | 42",
                "fixtures.Methods::sum              | [1,2,3]              | 6",
                "fixtures.Methods::stream           | {}                   | [{}]",
                "fixtures.Methods::streamWithContext| {}                   | my-function",
                "fixtures.Methods::inputOnly        | {}                   | null",
                "fixtures.Methods::contextOnly      | {}                   | '\"my-function\"'",
                "fixtures.Methods::noArguments      | {}                   | '\"none\"'",
                "fixtures.Methods::nothing          | {}                   | null",
                "fixtures.Methods::overloaded       | '\"x\"'              | '\"with context\"'",
            })
    void everySupportedMethodSignatureIsInvoked(String handler, String event, String expected) throws Throwable {
        assertThat(invoke(handler, event)).isEqualTo(expected);
    }

    @Test
    void instanceIsCreatedOnceAtLoadAndReusedForEveryEvent() throws Throwable {
        int before = Methods.instances;
        Handler handler = HandlerLoader.load("fixtures.Methods::noArguments", LOADER);
        handler.handle(bytes("{}"), context());
        handler.handle(bytes("{}"), context());
        assertThat(Methods.instances - before).isEqualTo(1);
    }

    @Test
    void handlerExceptionsPropagateUnwrapped() {
        Throwable thrown = catchThrowableOfType(Throwable.class, () -> invoke("fixtures.Methods::fails", "{}"));
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessage("handler failed");
    }

    @Test
    void eventNotMatchingTheInputTypeFailsWithAwsParsingMessage() {
        Throwable thrown = catchThrowableOfType(
                Throwable.class, () -> invoke("fixtures.Methods::twice", "{\"not\":\"a number\"}"));
        assertThat(thrown).isInstanceOf(RuntimeException.class).hasMessage("An error occurred during JSON parsing");
        assertThat(thrown.getCause()).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "fixtures.Missing                          | java.lang.ClassNotFoundException        | Class not found: fixtures.Missing",
                "fixtures.Missing::handle                  | java.lang.ClassNotFoundException        | Class not found: fixtures.Missing",
                "fixtures.Broken$StaticInitFails::handle   | java.lang.ExceptionInInitializerError   | Error loading class fixtures.Broken$StaticInitFails: java.lang.IllegalStateException: static boom",
                "fixtures.Broken$ConstructorFails::handle  | java.lang.IllegalArgumentException      | constructor boom",
                "fixtures.Broken$NoPublicConstructor::handle | java.lang.Exception                   | Class fixtures.Broken$NoPublicConstructor has no public zero-argument constructor",
                "fixtures.Broken$NotAHandler               | java.lang.NoSuchMethodException         | Class does not implement an appropriate handler interface: fixtures.Broken$NotAHandler",
                "fixtures.Methods::missing                 | java.lang.NoSuchMethodException         | No public method named missing with appropriate method signature found on class fixtures.Methods",
                "fixtures.Methods::invalid                 | java.lang.NoSuchMethodException         | No public method named invalid with appropriate method signature found on class fixtures.Methods",
                "fixtures.Methods::                        | Runtime.MalformedHandlerName            | Invalid handler: `fixtures.Methods::'",
                "::handle                                  | Runtime.MalformedHandlerName            | Invalid handler: `::handle'",
            })
    void initFailuresCarryAwsErrorTypeAndMessage(String handler, String errorType, String message) {
        InitFailure failure = catchThrowableOfType(InitFailure.class, () -> HandlerLoader.load(handler, LOADER));
        assertThat(failure.report().errorType()).isEqualTo(errorType);
        assertThat(failure.report().errorMessage()).isEqualTo(message);
    }

    @Test
    void emptyHandlerIsMalformed() {
        InitFailure failure = catchThrowableOfType(InitFailure.class, () -> HandlerLoader.load("", LOADER));
        assertThat(failure.report().errorType()).isEqualTo("Runtime.MalformedHandlerName");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "java.io.InputStream,java.io.OutputStream,com.amazonaws.services.lambda.runtime.Context | INPUT_STREAM,OUTPUT_STREAM,CONTEXT",
                "java.lang.String,com.amazonaws.services.lambda.runtime.Context                          | POJO,CONTEXT",
                "java.io.OutputStream,com.amazonaws.services.lambda.runtime.Context                      | OUTPUT_STREAM,CONTEXT",
                "java.lang.String,java.io.OutputStream                                                   | invalid",
                "com.amazonaws.services.lambda.runtime.Context,java.lang.String                          | invalid",
                "java.io.InputStream,java.lang.String                                                    | invalid",
                "java.lang.String,java.lang.String                                                       | invalid",
            })
    void signaturesAreClassifiedInAwsOrder(String types, String expected) throws ClassNotFoundException {
        String[] names = types.split(",");
        Class<?>[] classes = new Class<?>[names.length];
        for (int i = 0; i < names.length; i++) {
            classes[i] = Class.forName(names[i].trim());
        }
        MethodHandler.Param[] params = MethodHandler.signature(classes);
        assertThat(
                        params == null
                                ? "invalid"
                                : String.join(
                                        ",",
                                        Arrays.stream(params).map(Enum::name).toList()))
                .isEqualTo(expected);
    }
}
