#!/usr/bin/python3
"""Opens session files and strings written by tgsession with the real
Telethon (Debian's python3-telethon) and prints what Telethon sees, as JSON.
Never connects to the network: only the session classes are used.

Input (stdin, JSON):
  {"sqlite": [{"path": ..., "ids": [marked ids], "usernames": [...], "phones": [...]}],
   "strings": ["1...", ...]}
Output (stdout, JSON): one object per input, in order.
"""
import json
import sys

import telethon
from telethon.sessions import SQLiteSession, StringSession
from telethon.tl import types


def describe_peer(p):
    if isinstance(p, types.InputPeerUser):
        return {"_": "InputPeerUser", "id": p.user_id, "access_hash": p.access_hash}
    if isinstance(p, types.InputPeerChat):
        return {"_": "InputPeerChat", "id": p.chat_id}
    if isinstance(p, types.InputPeerChannel):
        return {"_": "InputPeerChannel", "id": p.channel_id, "access_hash": p.access_hash}
    return {"_": type(p).__name__}


def lookup(session, key):
    try:
        return describe_peer(session.get_input_entity(key))
    except ValueError as e:
        return {"error": str(e)}


def state(s):
    return {"pts": s.pts, "qts": s.qts, "date": int(s.date.timestamp()), "seq": s.seq}


def sqlite_session(item):
    s = SQLiteSession(item["path"])
    out = {
        "dc_id": s.dc_id,
        "server_address": s.server_address,
        "port": s.port,
        "auth_key_hex": s.auth_key.key.hex() if s.auth_key else None,
        "takeout_id": s.takeout_id,
        "version": s._execute("select version from version")[0],
    }
    g = s.get_update_state(0)
    out["update_state"] = state(g) if g else None
    out["channel_pts"] = {str(i): st.pts for i, st in s.get_update_states() if i != 0}
    out["ids"] = {str(i): lookup(s, i) for i in item.get("ids", [])}
    out["usernames"] = {u: lookup(s, u) for u in item.get("usernames", [])}
    out["phones"] = {p: lookup(s, p) for p in item.get("phones", [])}
    s.close()
    return out


def string_session(text):
    try:
        s = StringSession(text)
    except Exception as e:  # report, do not crash: the C++ test decides
        return {"error": "%s: %s" % (type(e).__name__, e)}
    return {
        "dc_id": s.dc_id,
        "server_address": s.server_address,
        "port": s.port,
        "auth_key_hex": s.auth_key.key.hex() if s.auth_key else None,
        # What Telethon writes back for it (its save() is deterministic).
        "save": StringSession.save(s),
    }


def main():
    req = json.load(sys.stdin)
    out = {
        "telethon_version": telethon.__version__,
        "sqlite": [sqlite_session(i) for i in req.get("sqlite", [])],
        "strings": [string_session(t) for t in req.get("strings", [])],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
