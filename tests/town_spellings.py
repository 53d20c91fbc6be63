"""Spellings of towns and the town a search for each must list first.

Shared by the tests of the search itself (``Municipality.objects.search``) and of the pages
that use it, so that both hold the search to the same list.
"""

# Any spelling: German, English, Russian, folded, historic, misspelt.
FIRST_RESULT = [
    ("Nischni Nowgorod", "Нижний Новгород"),
    ("Nizhny Novgorod", "Нижний Новгород"),
    ("Нижний Новгород", "Нижний Новгород"),
    ("Jaroslawl", "Ярославль"),
    ("Yaroslavl", "Ярославль"),
    ("Ярославль", "Ярославль"),
    ("Wolgograd", "Волгоград"),
    ("Volgograd", "Волгоград"),
    ("Düsseldorf", "Düsseldorf"),
    ("Dusseldorf", "Düsseldorf"),
    ("Duesseldorf", "Düsseldorf"),
    ("Moscow", "Москва"),
    ("Moskau", "Москва"),
    ("Cologne", "Köln"),
    ("Köln", "Köln"),
    ("Koeln", "Köln"),
    ("Königsberg", "Калининград"),
    ("Leningrad", "Санкт-Петербург"),
    ("Stalingrad", "Волгоград"),
    ("Karl-Marx-Stadt", "Chemnitz"),
    ("Гамбург", "Hamburg"),
    ("Дюссельдорф", "Düsseldorf"),
    ("Wolgagrad", "Волгоград"),
    ("Kaliningrat", "Калининград"),
    ("Petrosawodsk", "Петрозаводск"),
    ("Petrozavodsk", "Петрозаводск"),
    ("Munster", "Munster"),
    ("Münster", "Münster"),
    ("Petersburg", "Санкт-Петербург"),
    # "St.", "Saint" and "Sankt" are one word (issue 11).
    ("St. Petersburg", "Санкт-Петербург"),
    ("Sankt-Peterburg", "Санкт-Петербург"),
    ("Petrograd", "Санкт-Петербург"),
    # A German town in Cyrillic, read the German way.
    ("Кёльн", "Köln"),
    ("Нойс", "Neuss"),
    ("Пфорцхайм", "Pforzheim"),
    ("Хильдесхайм", "Hildesheim"),
    ("Ингольштадт", "Ingolstadt"),
]

# German towns in Cyrillic, as GeoNames names them: found through the gazetteer's names.
GERMAN_TOWNS_IN_CYRILLIC = [
    ("Кёльн", "Köln"),
    ("Кельн", "Köln"),
    ("Нойс", "Neuss"),
    ("Билефельд", "Bielefeld"),
    ("Бремерхафен", "Bremerhaven"),
    ("Пфорцхайм", "Pforzheim"),
    ("Хильдесхайм", "Hildesheim"),
    ("Целле", "Celle"),
    ("Ингольштадт", "Ingolstadt"),
]
