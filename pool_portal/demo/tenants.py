"""The demo's tenants: **AquaDemo** (about 30 clients around Valencia and Alicante,
the Mediterranean Hotels Group, 60 pools and everything on them), **BlueWave** (a few
clients near Málaga) and, at the large scale, **MegaPools** (200 clients, 1,000
sites, for benchmarks)."""

from __future__ import annotations

import unicodedata

import pool_portal.models as m
from pool_portal.demo import documents, incidents, people, sites
from pool_portal.demo.builder import LARGE, Builder, Density
from pool_portal.demo.vocabulary import COMMUNITIES, FIRST_NAMES, HOTELS, LAST_NAMES, OTHERS, POOL_NAMES, TOWNS


def aquademo(b: Builder) -> None:
    tid = people.tenant(b, "AquaDemo", "aquademo", "#0e7490")
    admin = people.staff(b, tid, "admin@aquademo.example.com", "Ana García", m.StaffRole.ADMIN)
    people.staff(b, tid, "office@aquademo.example.com", "Olga Martín", m.StaffRole.OFFICE)
    techs = [
        people.staff(b, tid, "tech@aquademo.example.com", "Tomás Ruiz", m.StaffRole.TECHNICIAN),
        people.staff(b, tid, "tech2@aquademo.example.com", "Irene Soler", m.StaffRole.TECHNICIAN),
    ]
    parent = people.group(b, tid, "Mediterranean Hotels Group")
    regional = people.group(b, tid, "Costa Blanca Hotels", parent)
    sites_of: dict[int, list[int]] = {}

    hotels = [people.client(b, tid, name) for name in HOTELS]
    for i, cid in enumerate(hotels):
        people.member(b, tid, regional if i >= 6 else parent, cid)
        town = TOWNS[(i * 3) % len(TOWNS)]
        sites_of[cid] = [
            sites.site(b, tid, cid, f"{HOTELS[i]} – {pool}", town) for pool in POOL_NAMES[: b.rng.randint(2, 3)]
        ]

    costa = people.client(b, tid, "Costa Azul Residences")
    sites_of[costa] = [
        sites.site(b, tid, costa, f"Costa Azul – {name}", TOWNS[12])
        for name in ("Main pool", "Children's pool", "Spa pool")
    ]
    for i, name in enumerate(COMMUNITIES + OTHERS):  # residential communities have two pools
        cid = people.client(b, tid, name)
        town = TOWNS[(i * 5 + 1) % len(TOWNS)]
        count = 2 if i < len(COMMUNITIES) else 1
        # One site without coordinates: the map must cope.
        sites_of[cid] = [
            sites.site(b, tid, cid, f"{name} – {POOL_NAMES[k]}", town, coords=(i, k) != (7, 0)) for k in range(count)
        ]

    for site_ids in sites_of.values():
        for site_id in site_ids:
            sites.fill_site(b, tid, site_id, Density(), techs)

    carla = people.portal_user(b, tid, "client@aquademo.example.com", "Carla Pérez", password=True)
    people.membership(b, tid, carla, client_id=costa)
    hugo = people.portal_user(b, tid, "group@aquademo.example.com", "Hugo Navarro", password=True)
    people.membership(b, tid, hugo, group_id=parent)
    # Contacts not yet invited (for the admin's invitation screens).
    for i, cid in enumerate(list(sites_of)[11:21]):
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i * 5) % len(LAST_NAMES)]
        uid = people.portal_user(
            b,
            tid,
            f"{_ascii(first)}.{_ascii(last)}{i}@example.com",
            f"{first} {last}",
            password=False,
            language="es" if i % 2 else "en",
        )
        people.membership(b, tid, uid, client_id=cid, role=m.MembershipRole.SITE)

    # Files shared on some properties (published), and one kept internal.
    shared = sites_of[costa] + [sid for cid in hotels[:3] for sid in sites_of[cid]]
    for i, site_id in enumerate(shared):
        documents.document(b, tid, site_id, "AquaDemo", "#0e7490", "Pool safety certificate", published=True)
        if i == 0:
            documents.document(b, tid, site_id, "AquaDemo", "#0e7490", "Internal inspection notes", published=False)

    plan = [
        (costa, carla, 2, False, False),
        (costa, carla, 9, False, True),
        (costa, carla, 40, True, True),
        (hotels[0], hugo, 5, False, True),
        (hotels[7], hugo, 1, False, False),
    ]
    for cid, reporter, days_ago, solved, replied in plan:
        incidents.incident(
            b,
            tid,
            cid,
            b.rng.choice(sites_of[cid]),
            reporter,
            admin,
            days_ago=days_ago,
            solved=solved,
            replied=replied,
            technician=techs[0],
        )


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def bluewave(b: Builder) -> None:
    tid = people.tenant(b, "BlueWave", "bluewave", "#1d4ed8")
    admin = people.staff(b, tid, "admin@bluewave.example.com", "Bruno Lara", m.StaffRole.ADMIN)
    towns = [
        ("Málaga", "29016", 36.7213, -4.4214),
        ("Marbella", "29602", 36.5101, -4.8825),
        ("Estepona", "29680", 36.4276, -5.1463),
        ("Nerja", "29780", 36.7580, -3.8740),
    ]
    clients = [
        people.client(b, tid, name)
        for name in ("Villa Sol de Málaga", "Comunidad Puerto Banús", "Hotel Alborán", "Residencial Nerja Mar")
    ]
    first_site = None
    for i, cid in enumerate(clients):
        for k in range(1 + (i % 2)):
            sid = sites.site(b, tid, cid, f"{b.rows[m.Client][-len(clients) + i]['name']} – {POOL_NAMES[k]}", towns[i])
            first_site = first_site or sid
            sites.fill_site(b, tid, sid, Density(), [])
    user = people.portal_user(b, tid, "client@bluewave.example.com", "Bea Moreno", password=True)
    people.membership(b, tid, user, client_id=clients[0])
    incidents.incident(
        b, tid, clients[0], first_site, user, admin, days_ago=3, solved=False, replied=True, technician=None
    )


def megapools(b: Builder) -> None:
    tid = people.tenant(b, "MegaPools", "megapools", "#7c3aed")
    admin = people.staff(b, tid, "admin@megapools.example.com", "Marta Vidal", m.StaffRole.ADMIN)
    techs = [
        people.staff(b, tid, f"tech{i}@megapools.example.com", b.person(), m.StaffRole.TECHNICIAN) for i in range(5)
    ]
    group = people.group(b, tid, "MegaPools National Group")
    user = people.portal_user(b, tid, "group@megapools.example.com", "Gonzalo Ferrer", password=True)
    people.membership(b, tid, user, group_id=group)
    for c in range(200):
        cid = people.client(b, tid, f"Mega Client {c + 1:03d}")
        people.member(b, tid, group, cid)
        # Each client's own contact (the websocket load signs in as 200 different customers).
        contact = people.portal_user(
            b, tid, f"contact{c + 1:03d}@megapools.example.com", f"Mega Client {c + 1:03d} contact", password=True
        )
        people.membership(b, tid, contact, client_id=cid)
        for s in range(5):
            sid = sites.site(b, tid, cid, f"Mega Client {c + 1:03d} – Pool {s + 1}", TOWNS[(c + s) % len(TOWNS)])
            sites.fill_site(b, tid, sid, LARGE, techs)
            for k in range(LARGE.incidents[0]):
                incidents.incident(
                    b,
                    tid,
                    cid,
                    sid,
                    user,
                    admin,
                    days_ago=b.rng.randint(0, 300),
                    solved=k == 0,
                    replied=False,
                    technician=None,
                )
