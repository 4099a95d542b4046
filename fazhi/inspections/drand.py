"""The drand quicknet signature check (BLS12-381, scheme ``bls-unchained-g1-rfc9380``), offline.

A round's value is its signature: a compressed G1 point, valid when
``e(signature, g2) == e(hash_to_G1(SHA-256(round as 8 bytes big-endian)), chain public key)``.
Checked with py_ecc (pure Python, about two seconds), against the chain's public key shipped in
``drawv2.DRAND_QUICKNET``, so the operator cannot type a value the network did not sign.
"""

from __future__ import annotations

import hashlib

from py_ecc.bls.hash_to_curve import hash_to_G1
from py_ecc.bls.point_compression import decompress_G1, decompress_G2
from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12
from py_ecc.optimized_bls12_381.optimized_curve import G2, curve_order, is_inf, multiply, neg
from py_ecc.optimized_bls12_381.optimized_pairing import final_exponentiate, miller_loop

from fazhi.inspections.drawv2 import DRAND_QUICKNET

DST_G1 = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"


def round_message(number: int) -> bytes:
    return hashlib.sha256(number.to_bytes(8, "big")).digest()


def verify_quicknet(number: int, signature_hex: str) -> bool:
    """Is ``signature_hex`` the quicknet chain's signature of round ``number``?"""
    try:
        raw = bytes.fromhex(signature_hex)
        key = bytes.fromhex(str(DRAND_QUICKNET["public_key"]))
        if len(raw) != 48:
            return False
        signature = decompress_G1(int.from_bytes(raw, "big"))  # type: ignore[arg-type]
        public = decompress_G2(
            (int.from_bytes(key[:48], "big"), int.from_bytes(key[48:], "big"))  # type: ignore[arg-type]
        )
    except (ValueError, TypeError):
        return False
    if is_inf(signature) or not is_inf(multiply(signature, curve_order)):
        return False
    hashed = hash_to_G1(round_message(number), DST_G1, hashlib.sha256)  # type: ignore[arg-type]
    product = miller_loop(G2, signature) * miller_loop(neg(public), hashed)
    return bool(final_exponentiate(product) == FQ12.one())
