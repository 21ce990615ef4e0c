import os

# The version 4 UUID's bits, written into the random bytes' hex text: digit 12 is the version
# (4), and digit 16 the variant, 10xx in binary, from the random digit whose top two bits it
# replaces.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_hex_id() -> str:
    """A random (version 4) UUID's 32 hex digits, as `uuid.uuid4().hex` writes them, without
    building the UUID object: ids are minted on every token request."""
    h = os.urandom(16).hex()
    return f"{h[:12]}4{h[13:16]}{_VARIANT[h[16]]}{h[17:]}"


def new_id() -> str:
    """`str(uuid.uuid4())`, written from the hex text in one go (as new_hex_id, with dashes)."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"
