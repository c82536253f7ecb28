"""A tiny in-process IMAP server with one folder, written from RFC 3501 (IMAP4rev1), not from our client:

- §2.2.1 every client command is `<tag> <command> [arguments]` on one line ending in CRLF; the server
  ends it with a tagged `OK`, `NO` (operational failure) or `BAD` (protocol error: unknown command, bad
  arguments, or a command in a state where it is not allowed, §3);
- §7.1.1 the greeting is untagged `* OK`, here with the `[CAPABILITY ...]` response code of §7.1;
- §3 states: Not Authenticated -> (LOGIN) Authenticated -> (SELECT) Selected -> (LOGOUT) Logout;
- §6.1.1 CAPABILITY: untagged `* CAPABILITY IMAP4rev1`, tagged OK;
- §6.1.3 LOGOUT: untagged `* BYE`, tagged OK, then the server closes the connection;
- §6.2.3 LOGIN userid password (astrings, §4.3 quoted strings with \\ and \" escapes): `OK`, or `NO` when the
  credentials are refused;
- §6.3.1 SELECT mailbox: untagged `* <n> EXISTS`, `* <n> RECENT`, `* FLAGS (...)`, `* OK [UIDVALIDITY n]`,
  tagged `OK [READ-WRITE]`; `NO` for a mailbox that does not exist (and the state falls back to Authenticated);
- §6.4.4 SEARCH: untagged `* SEARCH <numbers>`; keys used here ALL, SEEN, UNSEEN (\\Seen not set);
- §6.4.5 FETCH <sequence set> (<items>): BODY[] and RFC822 set \\Seen implicitly, BODY.PEEK[] does not;
  §7.4.2 the answer is `* <n> FETCH (BODY[] {<octets>}` CRLF <octets> `)` (a literal, §4.3; RFC822 answers
  `RFC822 {...}`), with the FLAGS when the fetch changed them; §9 sequence-set: numbers, `n:m`, `*`, commas;
- §6.4.6 STORE <sequence set> +FLAGS|-FLAGS|FLAGS[.SILENT] (<flags>): untagged FETCH with the new FLAGS
  unless .SILENT, tagged OK.

Anything else is refused with BAD and kept in `refused`, so a test can tell our client stays in this subset.
"""

from __future__ import annotations

import re
import socketserver
import ssl
import threading
from dataclasses import dataclass, field

SEEN = "\\Seen"


@dataclass
class Messaggio:
    raw: bytes
    flags: set[str] = field(default_factory=set)


def _astrings(text: str) -> list[str]:
    """Atoms and quoted strings (§4.3), in order."""
    out = []
    for quoted, atom in re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', text):
        out.append(atom or re.sub(r"\\(.)", r"\1", quoted))
    return out


def _sequence(text: str, total: int) -> list[int] | None:
    numbers: list[int] = []
    for piece in text.split(","):
        ends = [total if e == "*" else int(e) if e.isdigit() else -1 for e in piece.split(":")]
        if len(ends) > 2 or any(e < 1 or e > total for e in ends):
            return None
        numbers.extend(range(min(ends), max(ends) + 1))
    return sorted(set(numbers))


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        fake = self.server.fake
        state = "not-authenticated"
        self.send("* OK [CAPABILITY IMAP4rev1] fake IMAP4rev1 ready")
        while line := self.rfile.readline():
            tag, _sp, rest = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            command, _sp, args = rest.partition(" ")
            command = command.upper()
            fake.commands.append(command)
            with fake.lock:
                state = self.dispatch(fake, state, tag, command, args)
            if state == "logout":
                return

    def refuse(self, fake: FakeIMAP, tag: str, command: str, why: str) -> None:
        fake.refused.append(f"{command} {why}")
        self.send(f"{tag} BAD {why}")

    def dispatch(self, fake: FakeIMAP, state: str, tag: str, command: str, args: str) -> str:
        if command == "CAPABILITY":
            self.send("* CAPABILITY IMAP4rev1")
            self.send(f"{tag} OK CAPABILITY completed")
        elif command == "LOGOUT":
            self.send("* BYE logging out")
            self.send(f"{tag} OK LOGOUT completed")
            return "logout"
        elif command == "LOGIN" and state == "not-authenticated":
            credentials = _astrings(args)
            if len(credentials) != 2:
                self.refuse(fake, tag, command, "LOGIN needs userid and password")
            elif tuple(credentials) != (fake.user, fake.password):
                self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
            else:
                self.send(f"{tag} OK LOGIN completed")
                return "authenticated"
        elif command == "SELECT" and state in ("authenticated", "selected"):
            names = _astrings(args)
            if names != [fake.folder] and not (fake.folder.upper() == "INBOX" and names == ["INBOX"]):
                self.send(f"{tag} NO no such mailbox")
                return "authenticated"
            self.send(f"* {len(fake.messages)} EXISTS")
            self.send("* 0 RECENT")
            self.send("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
            self.send("* OK [UIDVALIDITY 1] UIDs valid")
            self.send(f"{tag} OK [READ-WRITE] SELECT completed")
            return "selected"
        elif command == "SEARCH" and state == "selected":
            key = args.strip().upper()
            tests = {"ALL": lambda m: True, "SEEN": lambda m: SEEN in m.flags, "UNSEEN": lambda m: SEEN not in m.flags}
            if key not in tests:
                self.refuse(fake, tag, command, f"search key {key} not supported")
            else:
                found = [str(n) for n, m in enumerate(fake.messages, 1) if tests[key](m)]
                self.send(" ".join(["* SEARCH", *found]))
                self.send(f"{tag} OK SEARCH completed")
        elif command == "FETCH" and state == "selected":
            self.fetch(fake, tag, args)
        elif command == "STORE" and state == "selected":
            self.store(fake, tag, args)
        else:
            self.refuse(fake, tag, command, f"{command} unknown or not allowed in state {state}")
        return state

    def fetch(self, fake: FakeIMAP, tag: str, args: str) -> None:
        sequence, _sp, items = args.partition(" ")
        numbers = _sequence(sequence, len(fake.messages))
        item = items.strip().strip("()").upper()
        if numbers is None or item not in ("BODY[]", "BODY.PEEK[]", "RFC822", "FLAGS"):
            self.refuse(fake, tag, "FETCH", f"FETCH {args} not supported")
            return
        for n in numbers:
            message = fake.messages[n - 1]
            if item == "FLAGS":
                self.send(f"* {n} FETCH (FLAGS ({' '.join(sorted(message.flags))}))")
                continue
            changed = item in ("BODY[]", "RFC822") and SEEN not in message.flags
            if item in ("BODY[]", "RFC822"):
                message.flags.add(SEEN)
            flags = f"FLAGS ({' '.join(sorted(message.flags))}) " if changed else ""
            name = "RFC822" if item == "RFC822" else "BODY[]"
            self.wfile.write(f"* {n} FETCH ({flags}{name} {{{len(message.raw)}}}\r\n".encode())
            self.wfile.write(message.raw)
            self.send(")")
        self.send(f"{tag} OK FETCH completed")

    def store(self, fake: FakeIMAP, tag: str, args: str) -> None:
        match = re.fullmatch(r"(\S+) ([+-]?FLAGS(?:\.SILENT)?) \(([^)]*)\)", args.strip(), re.IGNORECASE)
        numbers = _sequence(match.group(1), len(fake.messages)) if match else None
        if not match or numbers is None:
            self.refuse(fake, tag, "STORE", f"STORE {args} not understood")
            return
        action, flags = match.group(2).upper(), set(match.group(3).split())
        for n in numbers:
            message = fake.messages[n - 1]
            if action.startswith("+"):
                message.flags |= flags
            elif action.startswith("-"):
                message.flags -= flags
            else:
                message.flags = set(flags)
            if not action.endswith(".SILENT"):
                self.send(f"* {n} FETCH (FLAGS ({' '.join(sorted(message.flags))}))")
        self.send(f"{tag} OK STORE completed")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeIMAP

    def get_request(self):
        connection, address = super().get_request()
        if self.fake.tls is not None:  # imaps: TLS from the first byte (RFC 8314 §3.2, port 993)
            connection = self.fake.tls.wrap_socket(connection, server_side=True)
        return connection, address


class FakeIMAP:
    """`with FakeIMAP(user=..., password=..., messages=[bytes, ...]) as fake:` then imap://user:pass@127.0.0.1:
    {fake.port}/INBOX; `fake.messages` keeps each message's flags."""

    def __init__(self, *, user: str, password: str, messages: list[bytes], folder: str = "INBOX",
                 tls: ssl.SSLContext | None = None) -> None:
        self.user, self.password, self.folder, self.tls = user, password, folder, tls
        self.messages = [Messaggio(raw) for raw in messages]
        self.commands: list[str] = []
        self.refused: list[str] = []
        self.lock = threading.Lock()

    def __enter__(self) -> FakeIMAP:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
