# SPDX-License-Identifier: Apache-2.0
"""Renders a product model on a turntable for review images (example code)."""


def frames(count: int = 36) -> list[float]:
    return [i * 360.0 / count for i in range(count)]
