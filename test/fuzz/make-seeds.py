#!/usr/bin/env python3
"""make-seeds.py — writes the seed inputs of test/fuzz/corpus/<target>/ (seed-*): the worked
examples of the specification (spec/config.md §7, spec/dbus.md §7, spec/system.md §3.3) and
a few malformed variants per input surface of spec/bad-input.md. Files that are not
seed-* (reproducers of fixed crashes, crash-*) are left alone.

Usage: python3 test/fuzz/make-seeds.py   (from anywhere; rewrites the seed-* files)
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")

HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
HOSTID = "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
DELL = "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
DISC = "nqn.2014-08.org.nvmexpress.discovery"
ARRAY1 = "nqn.2023-01.com.example:array1"
ARRAY2 = "nqn.2023-01.com.example:array2"


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# ---- configuration files (spec/config.md §7, spec/bad-input.md §1) ----------------------

STAFD_7_1 = """# /etc/stas/stafd.conf
[Global]
tron = false
kato = 30            # keep-alive for DCs; this comment is stripped
ip-family = ipv4     ; IPv4 only, comment stripped too
pleo = Enabled

[Service Discovery]
zeroconf = enabled

[Discovery controller connection management]
persistent-connections = true
zeroconf-connections-persistence = 3 days 5 hours

[Controllers]
# A DDC reached through eth1, default port 8009, well-known NQN
controller = transport=tcp;traddr=192.168.10.30;host-iface=eth1
# A CDC with its unique NQN (TP8013) and a DH-HMAC-CHAP secret that ends in '='
controller = transport=tcp ; traddr=cdc.example.com ; nqn=nqn.1988-11.com.dell:SFSS:1:20221122170722e8 ; dhchap-secret=DHHC-1:02:BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Og==:
# Fibre Channel DC
controller = transport=fc;traddr=nn-0x204600a098cbcac6:pn-0x204700a098cbcac6;host-traddr=nn-0x20000090fa8d1234:pn-0x10000090fa8d1234
exclude = transport=tcp;traddr=fe80::2c6e:dee7:857:26bb   # eliminate a specific address
exclude = host-iface=eth9                                  # everything seen on eth9
exclude =
kato
"""

STACD_7_2 = """# /etc/stas/stacd.conf
[Global]
ignore-iface = false
queue-size = 256
nr-io-queues = 8
ctrl-loss-tmo = -1
kato = abc

[I/O controller connection management]
disconnect-scope = all-connections-matching-disconnect-trtypes
disconnect-trtypes = tcp + rdma
connect-attempts-on-ncc = 1

[Controllers]
controller = transport=tcp;traddr=192.168.10.31;trsvcid=4420;nqn=nqn.2023-01.com.example:array1;kato=120;hdr-digest=true
controller = transport=rdma;traddr=10.1.1.5;nqn=nqn.2023-01.com.example:array2;host-iface=ib0
controller = transport=tcp;traddr=192.168.10.32;nqn=nqn.2023-01.com.example:array3;trsvid=4420
controller = transport=loop;nqn=nqn.2023-01.com.example:loop-test
exclude = nqn=nqn.2023-01.com.example:array9
"""

BAD_CONF = """kato = 10
[Global]
persistent-connections = false
udev-rule = enabled
sticky-connections = disabled
tron = yes
queue-size = 2000000
kato = -1
reconnect-delay = NaN
kato =
ip-family = ipv5
[controllers]
controller = transport=tcp;;4420;traddr=1.2.3.4
controller = transport=tcp;traddr=555.555.555.555
controller = transport=tcp;traddr=!@#$
controller = transport=tcp;traddr=1.2.3.4;trsvcid=70000;nqn=nqn.x;subsysnqn=nqn.y
controller = transport=fc;traddr=nn-0x1:pn-0x2
controller = transport=tcp;traddr=10.0.0.1;host-iface=eth0,nqn=nqn.z;tron=true
controller = transport=tcp;traddr=10.0.0.1;host-id=not-a-uuid;queue-size=5
controller = transport=tcp;traddr=10.0.0.1;dhchap-secret=secret
controller =
  transport=tcp;traddr=10.0.0.2
blacklist = transport=rdma
exclude = host-traddr=1.2.3.4
exclude = trsvid=1
[Unknown Section]
foo = bar
[Global] trailing text
= value
no equals sign here
\xff\xfe invalid = utf8
"""

RELOAD = """[Global]
kato = 30
ip-family = ipv6
[I/O controller connection management]
disconnect-scope = no-disconnect
[Controllers]
controller = transport=tcp;traddr=192.168.10.31;trsvcid=4420;nqn=nqn.2023-01.com.example:array1
exclude = host-iface=eth9
%%
[Global]
kato = forty
ip-family = ipv9
[I/O controller connection management]
disconnect-scope = only-stas-connections
[Controllers]
controller = transport=tcp;traddr=192.168.10.31;trsvcid=4420;nqn=nqn.2023-01.com.example:array1;kato=60
controller = transport=tcp;traddr=bad address
"""


def config_seeds():
    for name in ("stafd.conf", "stacd.conf"):
        with open(os.path.join(ROOT, "conf", name), "rb") as f:
            put("fuzz-config", "template-" + name, f.read())
    put("fuzz-config", "stafd-7.1", STAFD_7_1)
    put("fuzz-config", "stacd-7.2", STACD_7_2)
    put("fuzz-config", "bad-input-1", BAD_CONF.encode("latin-1"))
    put("fuzz-config", "reload", RELOAD)
    put("fuzz-config", "empty", "")
    put("fuzz-config", "nul", b"[Global]\nkato = 3\x000\n")


# ---- controller= / exclude= values (spec/config.md §4) ------------------------------------

def controller_seeds():
    # byte 0: bit 0 daemon (0 stafd, 1 stacd), bits 1-2 key (controller, exclude, blacklist)
    entries = [
        (0, "transport=tcp;traddr=192.168.10.30;trsvcid=8009;host-iface=eth1;nqn=" + DISC),
        (0, "transport=tcp ; traddr=cdc.example.com ; nqn=" + DELL
         + " ; dhchap-secret=DHHC-1:02:BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Og==:"),
        (0, "transport=fc;traddr=nn-0x204600a098cbcac6:pn-0x204700a098cbcac6;"
            "host-traddr=nn-0x20000090fa8d1234:pn-0x10000090fa8d1234"),
        (1, "transport=tcp;traddr=192.168.10.31;trsvcid=4420;nqn=" + ARRAY1 + ";kato=120;hdr-digest=true"),
        (1, "transport=rdma;traddr=fe80::1%eth0;nqn=" + ARRAY2 + ";host-iface=ib0;queue-size=64"),
        (1, "transport=loop;nqn=nqn.2023-01.com.example:loop-test"),
        (1, "transport=tcp;traddr=192.168.10.31;host-traddr=192.168.10.5;host-nqn=" + HOSTNQN
            + ";host-id=" + HOSTID + ";dhchap-ctrl-secret=DHHC-1:00:abcd:;nr-io-queues=4"),
        (2, "transport=tcp;traddr=fe80::2c6e:dee7:857:26bb   # eliminate a specific address"),
        (2, "host-iface=eth9"),
        (4, "transport=rdma"),
        (2, ""),
        (2, "host-traddr=1.2.3.4"),
        (0, "transport=tcp;;4420"),
        (1, "transport=tcp;traddr=192.168.10.32;nqn=" + ARRAY1 + ";trsvid=4420"),
        (1, "transport=TCP;traddr=::ffff:10.0.0.1;trsvcid=065535;nqn=nqn." + "x" * 230),
        (0, "transport=tcp;traddr=10.0.0.1;host-iface=eth0,nqn=nqn.z"),
        (0, "transport=tcp;traddr=10.0.0.1\n  ;trsvcid=8009"),
    ]
    for i, (sel, value) in enumerate(entries):
        put("fuzz-controller", "%02d" % i, bytes([sel]) + value.encode())


# ---- sys.conf (spec/config.md §5, §7.3) --------------------------------------------------

def sysconf_seeds():
    put("fuzz-sysconf", "7.3", "# /etc/stas/sys.conf  (as written by stasadm, comments preserved)\n"
        "[Host]\nnqn = file://nvme/hostnqn\nid = file://nvme/hostid\nsymname = rack4-host17 (lab)\n"
        "#key = file://nvme/hostkey\n")
    put("fuzz-sysconf", "values", "[Host]\nnqn = " + HOSTNQN + "\nid = " + HOSTID
        + "\nkey = DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:\nsymname = file://nvme/hostid\n")
    put("fuzz-sysconf", "empty", "")
    put("fuzz-sysconf", "bad", "[Host]\nnqn = host.example\nid = not-a-uuid\n[Other]\nx\n")
    put("fuzz-sysconf", "long-nqn", "[Host]\nnqn = nqn." + "a" * 230 + "\n")
    put("fuzz-sysconf", "missing-files", "[Host]\nnqn = file://nvme/none\nid = file://nvme\n"
        "symname = \x07bell\nkey = DHHC-1:zz:x:\nnqn = " + HOSTNQN + "\n  continued\n")


# ---- discovery log page entries (spec/dbus.md §7.3, spec/bad-input.md §6) ----------------

def dlpe(trtype=3, adrfam=1, subtype=2, treq=0, portid=1, cntlid=65535, asqsz=32, eflags=0,
         trsvcid=b"4420", subnqn=ARRAY1.encode(), traddr=b"192.168.10.31", tsas=b""):
    rec = bytearray(1024)
    struct.pack_into("<BBBBHHHH", rec, 0, trtype, adrfam, subtype, treq, portid, cntlid, asqsz, eflags)
    rec[32:32 + min(len(trsvcid), 32)] = trsvcid[:32]
    rec[256:256 + min(len(subnqn), 256)] = subnqn[:256]
    rec[512:512 + min(len(traddr), 256)] = traddr[:256]
    rec[768:768 + min(len(tsas), 256)] = tsas[:256]
    return bytes(rec)


DC2_PAGE = [
    dlpe(),
    dlpe(portid=2, eflags=4, traddr=b"192.168.10.32", subnqn=ARRAY2.encode()),
    dlpe(subtype=3, trsvcid=b"8009", traddr=b"192.168.10.20", subnqn=DELL.encode()),
]


def dlp_seeds():
    bad = {
        "referral": dlpe(subtype=1, trsvcid=b"8009", traddr=b"192.168.10.40", subnqn=DISC.encode()),
        "ipv6-rdma": dlpe(trtype=1, adrfam=2, traddr=b"fe80::1", treq=4, tsas=b"\x01\x02"),
        "fc": dlpe(trtype=2, adrfam=4, trsvcid=b"", traddr=b"nn-0x204600a098cbcac6:pn-0x204700a098cbcac6"),
        "spaces": dlpe(trsvcid=b"  4420  ", traddr=b" 192.168.10.31 ", subnqn=b"\t" + ARRAY1.encode() + b" "),
        "nonprintable": dlpe(traddr=b"192.168.\x0710.31"),
        "unterminated": dlpe(trsvcid=b"4" * 32, subnqn=b"n" * 256, traddr=b"1" * 256),
        "zero-addr": dlpe(traddr=b"0.0.0.0"),
        "unknown-codes": dlpe(trtype=77, adrfam=9, subtype=200, treq=255, traddr=b"host.example"),
        "utf8": dlpe(subnqn="nqn.2023-01.com.example:ärray".encode()),
    }
    for i, rec in enumerate(DC2_PAGE):
        put("fuzz-dlpe", "dc2-%d" % i, rec)
    for name, rec in bad.items():
        put("fuzz-dlpe", name, rec)

    def page(genctr, numrec, records, recfmt=0):
        return struct.pack("<QQH", genctr, numrec, recfmt) + b"".join(records)

    put("fuzz-dlp-page", "dc2", page(7, 3, DC2_PAGE))
    put("fuzz-dlp-page", "empty", page(1, 0, []))
    put("fuzz-dlp-page", "numrec-lies-high", page(2, 5, DC2_PAGE[:2]))
    put("fuzz-dlp-page", "numrec-lies-low", page(3, 1, DC2_PAGE))
    put("fuzz-dlp-page", "numrec-huge", page(0xffffffffffffffff, 0x8000000000000000, DC2_PAGE[:1]))
    put("fuzz-dlp-page", "short-record", page(4, 2, [DC2_PAGE[0], DC2_PAGE[1][:600]]))
    put("fuzz-dlp-page", "mixed-bad", page(5, 4, [bad["nonprintable"], bad["zero-addr"],
                                                   bad["referral"], bad["spaces"]], recfmt=3))


# ---- state files (spec/system.md §3.3, spec/bad-input.md §8) -----------------------------

def tid(transport, traddr, trsvcid, subsysnqn, iface="eth1"):
    return {"transport": transport, "traddr": traddr, "trsvcid": trsvcid, "subsysnqn": subsysnqn,
            "host-traddr": "", "host-iface": iface, "host-nqn": HOSTNQN, "host-id": HOSTID}


DLPE_ARRAY1 = {"trtype": "tcp", "adrfam": "ipv4", "traddr": "192.168.10.31", "trsvcid": "4420",
               "subnqn": ARRAY1, "subtype": "nvme", "treq": "not specified", "portid": "1",
               "cntlid": "65535", "asqsz": "32", "eflags": "0"}


def state_doc(daemon, controllers, **extra):
    doc = {"format": "stas-last-known-config", "version": 1, "daemon": daemon,
           "written": "2025-03-04T09:15:02Z", "host": {"nqn": HOSTNQN, "id": HOSTID},
           "controllers": controllers}
    doc.update(extra)
    return doc


def state_seeds():
    dc2 = tid("tcp", "192.168.10.20", "8009", DELL)
    stafd = state_doc("stafd", [
        {"tid": dc2, "origin": "discovered", "referral-depth": 0, "device": "nvme1",
         "log-pages-state": "current", "log-pages": [DLPE_ARRAY1], "unresponsive-since": None},
        {"tid": tid("tcp", "192.168.10.30", "8009", DISC), "origin": "configured",
         "referral-depth": 0, "device": "", "log-pages-state": "none", "log-pages": [],
         "unresponsive-since": 1741079702.5},
        {"tid": tid("tcp", "192.168.10.40", "8009", DISC, ""), "origin": "referral",
         "referral-depth": 2, "device": "nvme5", "log-pages-state": "cached",
         "log-pages": [DLPE_ARRAY1, dict(DLPE_ARRAY1, traddr="0.0.0.0")], "unresponsive-since": None},
    ])
    stacd = state_doc("stacd", [
        {"tid": tid("tcp", "192.168.10.31", "4420", ARRAY1), "origin": "discovered",
         "sources": [dc2], "dlpe": DLPE_ARRAY1, "device": "nvme2"},
        {"tid": tid("rdma", "10.1.1.5", "4420", ARRAY2, ""), "origin": "external",
         "sources": [], "dlpe": None, "device": ""},
    ])
    put("fuzz-state", "stafd", json.dumps(stafd, indent=2))
    put("fuzz-state", "stacd", json.dumps(stacd))
    bad_records = state_doc("stafd", [
        {"tid": dict(dc2, traddr="not-an-ip"), "origin": "discovered"},
        {"tid": dc2, "origin": "external", "referral-depth": -1},
        {"tid": dc2, "origin": "configured", "log-pages": [{"trtype": "tcp"}], "device": 3},
        "not an object",
    ])
    put("fuzz-state", "bad-records", json.dumps(bad_records))
    put("fuzz-state", "wrong-version", json.dumps(state_doc("stafd", [], version=2)))
    put("fuzz-state", "wrong-daemon", json.dumps(state_doc("stacd", [], format="x")))
    put("fuzz-state", "truncated", json.dumps(stafd)[:300])
    put("fuzz-state", "not-json", "\x80\x04\x95pickle")


# ---- NBFT (test/data/nbft) ----------------------------------------------------------------

def nbft_seeds():
    d = os.path.join(ROOT, "test", "data", "nbft")
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            put("fuzz-nbft", name, f.read())
    put("fuzz-nbft", "header-only", b"NBFT" + struct.pack("<I", 48) + b"\x01\x00" + b"\x00" * 38)


# ---- uevents and sysfs (spec/bad-input.md §7) ------------------------------------------------

def nul(*parts):
    return b"\x00".join(p.encode() if isinstance(p, str) else p for p in parts)


def uevent_seeds():
    put("fuzz-uevent", "aen-dlp-change", nul("change", "nvme1", "NVME_AEN=0x70f002",
                                             "DEVNAME=/dev/nvme1", "SUBSYSTEM=nvme"))
    put("fuzz-uevent", "connected", nul("change", "nvme3", "NVME_EVENT=connected",
                                        "NVME_TRTYPE=tcp", "NVME_TRADDR=192.168.10.20"))
    put("fuzz-uevent", "rediscover", nul("change", "nvme0", "NVME_EVENT=rediscover"))
    put("fuzz-uevent", "add", nul("add", "nvme12", "MAJOR=243", "MINOR=12"))
    put("fuzz-uevent", "remove", nul("remove", "nvme2"))
    put("fuzz-uevent", "bad-aen", nul("change", "nvme1", "NVME_AEN= 70f002x ", "NVME_AEN=0x"))
    put("fuzz-uevent", "long-aen", nul("change", "nvme1", "NVME_AEN=0x1234567890abcdef"))
    put("fuzz-uevent", "not-nvme", nul("bind", "nvme-fabrics", "NOEQUALS"))
    put("fuzz-uevent", "namespace", nul("add", "nvme0n1"))

    put("fuzz-sysfs", "tcp-dc", nul("tcp", "traddr=192.168.10.20,trsvcid=8009,host_iface=eth1,src_addr=192.168.10.5",
                                    DELL, HOSTNQN, HOSTID, "discovery", "cdc", "live",
                                    "SmartFabric Storage Software", "SFSS0001"))
    put("fuzz-sysfs", "tcp-ioc", nul("tcp\n", "traddr=192.168.10.31,trsvcid=4420,src_addr=(efault)\n",
                                     ARRAY1 + "\n", HOSTNQN, HOSTID, "io", "none", "connecting",
                                     "Linux      ", "0123456789abcdef"))
    put("fuzz-sysfs", "fc", nul("fc", "traddr=nn-0x204600a098cbcac6:pn-0x204700a098cbcac6,"
                                "host_traddr=nn-0x20000090fa8d1234:pn-0x10000090fa8d1234", DISC))
    put("fuzz-sysfs", "loop", nul("loop", "", ARRAY2, HOSTNQN, HOSTID, "", "", "deleting"))
    put("fuzz-sysfs", "pcie", nul("pcie", "0000:00:04.0"))
    put("fuzz-sysfs", "fabrics-options", nul("tcp", "instance=%d,cntlid=%d,transport=%s,traddr=%s,"
                                             "trsvcid=%s,host_traddr=%s,host_iface=%s,dhchap_secret=%s,"
                                             "dhchap_ctrl_secret=%s,discovery", "6.1.0-18-amd64"))


# ---- JSON (spec/dbus.md §7.4, §7.6) -------------------------------------------------------

def json_seeds():
    dc1 = {"traddr": "192.168.10.30", "trsvcid": "8009", "transport": "tcp", "subsysnqn": DISC,
           "host-iface": "eth1", "host-traddr": "", "kato": "60", "host-nqn": HOSTNQN,
           "host-id": HOSTID, "device": "nvme0"}
    put("fuzz-json", "all-log-pages", json.dumps([{"discovery-controller": dc1, "log-pages": [DLPE_ARRAY1]}]))
    put("fuzz-json", "process-info", json.dumps(
        {"tron": False, "log-level": "INFO", "hostnqn": HOSTNQN, "hostid": HOSTID, "hostkey": None,
         "symname": None, "avahi": {"service types": ["_nvme-disc._tcp", "_nvme-disc._udp"],
                                    "services": {}}, "udev overflows": "0"}, indent=2))
    put("fuzz-json", "numbers", "[0, -0, 1.5e300, -1e-300, 123456789012345678901234567890, 1E+2, 0.1]")
    put("fuzz-json", "strings", r'["\u00e9\ud83d\ude00", "\n\t\"\\\/", "caf\u00e9", "x"]'
        .encode() + " \u00e9".encode())
    put("fuzz-json", "duplicate-keys", '{"a": 1, "b": 2, "a": 3}')
    put("fuzz-json", "deep", "[" * 600 + "]" * 600)
    put("fuzz-json", "bad-surrogate", r'["\ud800"]')
    put("fuzz-json", "bad-nul", '["\\u0000"]')
    put("fuzz-json", "trailing", '{"a": [1, 2,]} x')
    put("fuzz-json", "invalid-utf8", b'["\xc3\x28"]')


# ---- D-Bus arguments (spec/dbus.md §3.4, §7.3, §7.5) ---------------------------------------

def dbus_seeds():
    tail = struct.pack("<Qdd", 0x5a5a5a5a5a5a5a5a, 60.0, 0.998271)
    payload = ["cntrl", "key", "'quoted\\'", "nvme1", "10.0s [2.5s]", "{'k': 'v'}", "kato", "dhchap-secret",
               "DHHC-1:00:x:", "192.168.10.31", ARRAY1, "4420", HOSTID, HOSTNQN, "Linux", "SN\u00e9", "cdc"]
    put("fuzz-dbus-args", "7.3", nul("tcp", "192.168.10.20", "8009", DELL, "", "eth1", "", *payload) + b"\x00" + tail)
    put("fuzz-dbus-args", "7.5", nul("tcp", "192.168.10.30", "8009", DISC, "", "eth1", HOSTNQN, *payload) + b"\x00" + tail)
    put("fuzz-dbus-args", "odd", nul("TCP ", " ::FFFF:192.168.10.20", "08009", "", "not-an-ip", "eth1",
                                     "x", *payload) + b"\x00" + struct.pack("<Qdd", 0xffffffffffffffff, -1.0, 1e300))
    put("fuzz-dbus-args", "bad-ip", nul("tcp", "555.555.555.555", "70000", "", "", "", "") + b"\x00" * 40)
    put("fuzz-dbus-args", "non-utf8", nul("rdma", b"fe80::1%\xff", "4420", b"nqn.\xc3", "", "", ""))


# ---- mDNS (spec/behaviour.md §8, spec/bad-input.md §5) -----------------------------------

def txt(*records):
    out = b""
    for r in records:
        r = r.encode() if isinstance(r, str) else r
        out += bytes([len(r)]) + r
    return out


def mdns_seeds():
    def svc(flags, port, addr, ifname, name, records):
        return bytes([flags]) + struct.pack("<H", port) + nul(addr, ifname, name, "local") + b"\x00" + txt(*records)

    put("fuzz-mdns", "dc2", svc(2, 8009, "192.168.10.20", "eth1", "SFSS", ["NQN=" + DELL, "p=tcp"]))
    put("fuzz-mdns", "ipv6-roce", svc(3, 4420, "fe80::2c6e:dee7:857:26bb", "eth2", "CDC", ["p=roce", "nqn=" + DISC]))
    put("fuzz-mdns", "no-p", svc(0, 8009, "10.0.0.1", "eth0", "x", ["nqn=nqn.bad", "=empty-key", "novalue"]))
    put("fuzz-mdns", "walmart", svc(2, 8009, "10.0.0.1", "eth0", "x", ["p=walmart", "NQN=not-an-nqn"]))
    put("fuzz-mdns", "port0-gone", svc(4, 0, "10.0.0.1", "eth0", "x", ["p=tcp"]))
    put("fuzz-mdns", "family-mismatch", svc(1, 8009, "10.0.0.1", "eth0", "x", ["p=tcp", "P=rdma", " p = iwarp "]))
    put("fuzz-mdns", "nonprintable", svc(2, 8009, "192.168.10.20", "eth1", "bad\x01name",
                                         [b"p=tcp\x7f", b"nqn=\xc3\xa9", b""]))


def main():
    config_seeds()
    controller_seeds()
    sysconf_seeds()
    dlp_seeds()
    state_seeds()
    nbft_seeds()
    uevent_seeds()
    json_seeds()
    dbus_seeds()
    mdns_seeds()


if __name__ == "__main__":
    main()
