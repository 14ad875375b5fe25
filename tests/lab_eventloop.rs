//! The event-loop lane on real sockets: the edge-triggered trap (bytes stay
//! queued but a wait reports nothing) and its fix (drain), UDP and IPv6
//! through mio, and the JSON a `poll` and a `spin` produce.

use serde_json::Value;
use sockscope::headless::{Format, run_script};

fn run(name: &str, script: &str) -> Vec<Value> {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_script(name, script, Format::Json, &mut out, &mut err);
    assert_eq!(code, 0, "{name}: {}", String::from_utf8_lossy(&err));
    String::from_utf8(out).expect("utf-8").lines().map(|l| serde_json::from_str(l).expect("json")).collect()
}

fn waits(lines: &[Value]) -> Vec<u64> {
    lines
        .iter()
        .filter(|v| {
            v["op"] == "poll"
                && v["sock"] == "loop"
                && v["arg"].as_str().is_some_and(|a| a.starts_with("wait"))
        })
        .map(|v| v["bytes"].as_u64().unwrap_or(99))
        .collect()
}

#[test]
fn edge_triggered_waits_report_nothing_for_unread_bytes_until_drained() {
    let lines = run(
        "edge",
        "open tcp\npoll add read\npeer send \"hello\"\npoll wait 300ms\nexpect events 1\nrecv 2\nexpect data 2\n\
         expect queued 3\npoll wait 200ms\nexpect events 0\nexpect queued 3\npoll drain on\npeer send \"!\"\n\
         poll wait 300ms\nexpect events 1\nexpect queued 0\n",
    );
    assert_eq!(waits(&lines), vec![1, 0, 1], "ready, then nothing while 3 bytes wait, then ready again");
    // The empty wait really waited its 200 ms: the kernel had nothing new to say.
    let empty =
        lines.iter().find(|v| v["sock"] == "loop" && v["outcome"] == "timeout").expect("the empty wait");
    assert!(empty["dur_us"].as_u64().unwrap_or(0) >= 190_000, "{empty}");
    // The drain read the 4 bytes left (3 old + 1 new), then stopped at EAGAIN.
    let recvs: Vec<&Value> = lines.iter().filter(|v| v["op"] == "recv" && v["sock"] == 1).collect();
    let tail: Vec<(&str, u64)> = recvs
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(|v| (v["outcome"].as_str().unwrap_or(""), v["bytes"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(tail, vec![("data", 4), ("wouldblock", 0)]);
    // Readiness events carry their flags and the ready socket.
    let ready = lines.iter().find(|v| v["outcome"] == "ready").expect("a readiness event");
    assert_eq!(ready["sock"], 1);
    assert!(ready["flags"].as_array().is_some_and(|f| f.contains(&Value::from("readable"))), "{ready}");
    // mio needs a non-blocking socket: the switch is on #1's own lane.
    assert!(
        lines.iter().any(|v| v["op"] == "nonblocking" && v["sock"] == 1 && v["kernel"]["nonblock"] == true)
    );
}

#[test]
fn udp_and_ipv6_sockets_work_through_the_event_loop() {
    let lines = run(
        "udp6",
        "open udp\npoll add read\npeer send \"dgram\"\npoll wait 300ms\nexpect events 1\nrecv\nexpect data 5\n\
         listen [::1]:0\npeer connect\naccept\nexpect accepted 3\nuse 3\npoll add read\npeer send \"v6!\"\n\
         poll wait 300ms\nexpect events 1\nrecv\nexpect data 3\n",
    );
    let listen = lines.iter().find(|v| v["op"] == "listen").expect("the listener");
    assert!(listen["arg"].as_str().is_some_and(|a| a.starts_with("[::1]:")), "{listen}");
    assert_eq!(waits(&lines), vec![1, 1]);
}

#[test]
fn a_spin_is_one_json_line_with_its_count_and_tallies() {
    let lines = run("spin", "open tcp\nnonblocking\nspin recv 1 5000\nexpect wouldblock\n");
    let spin = lines.iter().find(|v| v["op"] == "spin").expect("the spin");
    assert_eq!(spin["count"], 5000);
    assert_eq!(spin["outcomes"]["wouldblock"], 5000);
    assert_eq!(spin["errno"], "EAGAIN");
}

#[test]
fn a_tcp6_socket_reaches_the_peer_over_a_v4_mapped_address() {
    let lines = run(
        "tcp6",
        "socket tcp6\nnonblocking\nconnect\nexpect inprogress\nwait 50ms\nconnect\nexpect connected\n\
         peer send \"six\"\nwait 50ms\nrecv\nexpect data 3\n",
    );
    let connect = lines.iter().find(|v| v["op"] == "connect").expect("the connect");
    assert!(connect["arg"].as_str().is_some_and(|a| a.starts_with("[::ffff:127.0.0.1]:")), "{connect}");
}
