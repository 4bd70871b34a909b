"""The thief of LinuxEscapeTest.cannotTakeAnotherEnvironmentsEventOrAnswerForIt, a python3.12 function.

It asks for the next event on every other environment's Runtime API port (one thread each), as that
environment's runtime would, then says "ready" to the test over the control connection, waits for
"done" and reports what each attempt got. An event received is answered at once with a forged
response, on a new connection.

Event: {"targets": [ports it may attack], "control": the test's port}. Only the targets are
attacked, so that other Spur servers on the machine are left alone.
"""
import errno
import os
import socket
import threading
import time

NEXT = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def listening_ports():
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A":  # LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return sorted(ports)


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server" + (" mid-response" if data else ""))
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def outcome(e):
    if isinstance(e, socket.timeout):
        return "timed out"
    return errno.errorcode.get(e.errno, str(e)) if e.errno else str(e)


def forge(port, request_id):
    body = b'{"echo": "forged by the thief"}'
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Length: %d\r\n\r\n%s" % (request_id.encode(), len(body), body))
            status, _, answer = read_response(s)
            return {"status": status, "answer": answer.decode("utf-8", "replace")}
    except OSError as e:
        return outcome(e)


def steal(port, attempts, sockets, sent, stop):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        sockets.append(s)
        s.sendall(NEXT)
    except OSError as e:
        attempts[port] = {"connect": outcome(e)}
        return
    finally:
        sent.release()
    try:
        s.settimeout(25)
        status, headers, body = read_response(s)
        got = {"status": status, "body": body.decode("utf-8", "replace")[:300]}
        request_id = headers.get("lambda-runtime-aws-request-id")
        if request_id:
            got["requestId"] = request_id
            got["forgedResponse"] = forge(port, request_id)
        attempts[port] = got
    except OSError as e:
        attempts[port] = {"next": "nothing" if stop.is_set() else outcome(e)}


def handler(event, context):
    own = int(os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)[1])
    visible = listening_ports()
    victims = [p for p in visible if p != own and p in event["targets"]]
    attempts, sockets, sent, stop = {}, [], threading.Semaphore(0), threading.Event()
    threads = [threading.Thread(target=steal, args=(p, attempts, sockets, sent, stop)) for p in victims]
    for t in threads:
        t.start()
    for t in threads:
        sent.acquire()
    time.sleep(0.2)  # for the servers to park the requests just sent
    with socket.create_connection(("127.0.0.1", event["control"]), timeout=30) as control:
        control.sendall(b"ready\n")
        control.makefile().readline()  # "done", or the test went away
    stop.set()
    for s in list(sockets):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    for t in threads:
        t.join(2)
    return {"own": own, "visible": visible, "attempts": {str(p): attempts.get(p) for p in victims}}
