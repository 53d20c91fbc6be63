"""The folded search key brings the spellings of one name together."""

import pytest

from partnerships.spellings import fold, search_key

SAME_NAME = [
    ("Nischni Nowgorod", "Nizhny Novgorod", "Нижний Новгород"),
    ("Jaroslawl", "Yaroslavl", "Ярославль"),
    ("Wolgograd", "Volgograd", "Волгоград"),
    ("Düsseldorf", "Dusseldorf", "Duesseldorf"),
    ("Petrosawodsk", "Petrozavodsk", "Петрозаводск"),
    ("Tscheljabinsk", "Chelyabinsk", "Челябинск"),
    ("Woronesch", "Voronezh", "Воронеж"),
    ("Lipezk", "Lipetsk", "Липецк"),
    ("Mytischtschi", "Mytishchi", "Мытищи"),
]


@pytest.mark.parametrize("spellings", SAME_NAME, ids=lambda s: s[0])
def test_spellings_of_one_name_share_a_key(spellings):
    assert len({fold(s) for s in spellings}) == 1


def test_different_towns_keep_different_keys():
    assert fold("Moskau") != fold("Minsk")
    assert fold("Kaliningrad") != fold("Kaluga")


def test_search_key_frames_each_name_once():
    assert search_key(["Köln", "Koeln", "Cologne"]) == "|koln|cologne|"
