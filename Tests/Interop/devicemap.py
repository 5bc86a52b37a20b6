"""What the pymodbus server holds, per unit, and the values the tests expect.

The register images are built here with Python's struct module, independently
of hepabus: a 32-bit value in "big" word order has its high word at the lower
address, in "little" word order its low word at the lower address.
"""

from __future__ import annotations

import struct

#: Number of holding registers served per unit (addresses 0 .. HOLDING_SIZE-1).
HOLDING_SIZE = 100
#: Number of input registers served per unit.
INPUT_SIZE = 20
#: Number of coils / discrete inputs served per unit.
BITS_SIZE = 32

#: Units that are NOT served: silent on RTU.
SILENT_UNIT = 5

# Holding register map (same layout on both units, different contents).
F32_BIG = 20  # 20-21: f32, big word order
F32_LITTLE = 22  # 22-23: the same f32, little word order
S32_LITTLE = 30  # 30-31: s32, little word order
S32_BIG = 32  # 32-33: the same s32, big word order
U32_BIG = 40  # 40-41: u32, big word order
U32_LITTLE = 42  # 42-43: the same u32, little word order
# Holding 45..99 and coils 12..31 are zero at start: scratch space for the
# read/write tests, each test writing to addresses of its own.
INPUT_S16 = 10  # input register 10: a negative 16-bit value


def words(fmt: str, value, order: str) -> list[int]:
    """Two 16-bit registers holding a 32-bit value, in the given word order."""
    hi, lo = struct.unpack(">HH", struct.pack(">" + fmt, value))
    return [hi, lo] if order == "big" else [lo, hi]


def from_words(fmt: str, regs: list[int], order: str):
    """Decode two registers as a 32-bit value in the given word order."""
    hi, lo = regs if order == "big" else (regs[1], regs[0])
    return struct.unpack(">" + fmt, struct.pack(">HH", hi, lo))[0]


def _unit(base: int, f32: float, s32: int, u32: int, s16: int, coils, discrete):
    holding = [0] * HOLDING_SIZE
    for i in range(10):
        holding[i] = base + i
    holding[F32_BIG : F32_BIG + 2] = words("f", f32, "big")
    holding[F32_LITTLE : F32_LITTLE + 2] = words("f", f32, "little")
    holding[S32_LITTLE : S32_LITTLE + 2] = words("i", s32, "little")
    holding[S32_BIG : S32_BIG + 2] = words("i", s32, "big")
    holding[U32_BIG : U32_BIG + 2] = words("I", u32, "big")
    holding[U32_LITTLE : U32_LITTLE + 2] = words("I", u32, "little")
    inputs = [0] * INPUT_SIZE
    for i in range(10):
        inputs[i] = base + 1000 + i
    inputs[INPUT_S16] = s16 & 0xFFFF
    pad = [False] * (BITS_SIZE - len(coils))
    return {
        "holding": holding,
        "input": inputs,
        "coils": [bool(b) for b in coils] + pad,
        "discrete": [bool(b) for b in discrete] + [False] * (BITS_SIZE - len(discrete)),
        "f32": f32,
        "s32": s32,
        "u32": u32,
        "s16": s16,
    }


UNITS = {
    1: _unit(
        100,
        f32=37.5,
        s32=-100000,
        u32=3000000000,
        s16=-200,
        coils=[1, 0, 1, 1, 0, 0, 1, 0, 1, 1],
        discrete=[1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0],
    ),
    2: _unit(
        200,
        f32=-12.25,
        s32=-2000000,
        u32=4000000000,
        s16=-31000,
        coils=[0, 1, 1, 0, 1, 0, 0, 0, 1, 0],
        discrete=[0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1],
    ),
}
# Unit 2 implements no coil writes: FC05/FC15 answer "illegal function".
UNITS[2]["refuse_coil_writes"] = True
