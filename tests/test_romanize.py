"""KMU 2010 romanisation of Ukrainian names."""

from __future__ import annotations

import pytest

from geo.romanize import is_cyrillic, romanize_uk


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Русанів", "Rusaniv"),
        ("Сєвєродонецьк", "Sievierodonetsk"),
        ("Костянтинівка", "Kostiantynivka"),
        ("Згурівка", "Zghurivka"),
        ("Знам'янка", "Znamianka"),
        ("Знам’янка", "Znamianka"),
        ("Київ", "Kyiv"),
        ("Миколаїв", "Mykolaiv"),
        ("Велика Димерка", "Velyka Dymerka"),
        ("Авдіївка", "Avdiivka"),
        ("Кропивницький", "Kropyvnytskyi"),
        ("Запоріжжя", "Zaporizhzhia"),
        ("Харків", "Kharkiv"),
        ("Чернігів", "Chernihiv"),
        ("Ґорґани", "Gorgany"),
        ("Щорс", "Shchors"),
        ("Юрій", "Yurii"),
        ("Яготин", "Yahotyn"),
        ("Єнакієве", "Yenakiieve"),
        ("Їжакевич", "Yizhakevych"),
        ("Йосипівка", "Yosypivka"),
        ("Стрий", "Stryi"),
        ("Іванків", "Ivankiv"),
        ("Гола Пристань", "Hola Prystan"),
        ("Ужгород", "Uzhhorod"),
        ("Біла Церква", "Bila Tserkva"),
        ("Кам'янець-Подільський", "Kamianets-Podilskyi"),
        ("Новоукраїнка", "Novoukrainka"),
    ],
)
def test_kmu_2010_examples(cyrillic: str, latin: str) -> None:
    assert romanize_uk(cyrillic) == latin


def test_word_start_rules_apply_to_each_word() -> None:
    # Я at the start of the second word is initial ("Ya"), inside a word medial ("ia").
    assert romanize_uk("Стара Ялта") == "Stara Yalta"
    assert romanize_uk("Вільнянськ") == "Vilniansk"
    assert romanize_uk("Нова Ємільчина") == "Nova Yemilchyna"


def test_zgh_only_for_z_followed_by_h() -> None:
    assert romanize_uk("Розгон") == "Rozghon"
    assert romanize_uk("Зеленогірськ") == "Zelenohirsk"


def test_all_caps_word_stays_all_caps() -> None:
    assert romanize_uk("КИЇВ") == "KYIV"
    assert romanize_uk("ЖИТОМИР") == "ZHYTOMYR"


def test_non_ukrainian_characters_pass_through() -> None:
    assert romanize_uk("Kyiv 2024 (центр)") == "Kyiv 2024 (tsentr)"
    assert romanize_uk("") == ""


def test_is_cyrillic() -> None:
    assert is_cyrillic("Миколаїв")
    assert is_cyrillic("Kyїv")
    assert not is_cyrillic("Mykolaiv")
    assert not is_cyrillic("")
