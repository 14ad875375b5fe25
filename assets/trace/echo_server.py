# A selectors echo server with two clients; the second connects, then says
# nothing for three seconds. Try: sockscope trace -- python3 assets/trace/echo_server.py
import selectors, socket, sys, threading, time
sel = selectors.DefaultSelector()
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(); srv.setblocking(False)
sel.register(srv, selectors.EVENT_READ)
def client(msg, stall):
    c = socket.create_connection(srv.getsockname())
    if stall: time.sleep(3.0)          # connected, says nothing for three seconds
    c.sendall(msg); c.recv(100); c.close()
threading.Thread(target=client, args=(b"hi", False)).start()
threading.Thread(target=client, args=(b"slow", True)).start()
served = 0
while served < 2:
    for key, _ in sel.select(timeout=5):
        if key.fileobj is srv:
            conn, _ = srv.accept(); conn.setblocking(False); sel.register(conn, selectors.EVENT_READ)
        else:
            data = key.fileobj.recv(100)
            if data: key.fileobj.send(data.upper()); print("echoed", data, flush=True)
            else: sel.unregister(key.fileobj); key.fileobj.close(); served += 1
