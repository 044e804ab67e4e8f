"""The bundled sample project (installed as `mconform_samples`): reel 1 of a short film.

`reel1_v1.edl` is the locked cut, `reel1_v2.edl` the next version with picture changes
(trims, a deleted shot, an inserted shot, a moved scene, a replaced take). Both carry
locators for the music's picture hits.
"""
