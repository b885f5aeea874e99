"""The demo's words: towns on the Valencia / Alicante coast, streets, client and pool
names, equipment, remarks, service calls, quote titles, incidents and people."""

from __future__ import annotations

import pool_portal.models as m

TOWNS = [  # (town, postcode, latitude, longitude) on the Valencia / Alicante coast
    ("Valencia", "46011", 39.4640, -0.3330),
    ("Alboraya", "46120", 39.4990, -0.3290),
    ("Cullera", "46400", 39.1640, -0.2530),
    ("Gandia", "46730", 38.9960, -0.1630),
    ("Oliva", "46780", 38.9190, -0.1150),
    ("Dénia", "03700", 38.8410, 0.1080),
    ("Xàbia", "03730", 38.7900, 0.1690),
    ("Calp", "03710", 38.6450, 0.0480),
    ("Altea", "03590", 38.5990, -0.0500),
    ("Benidorm", "03503", 38.5390, -0.1230),
    ("El Campello", "03560", 38.4290, -0.3970),
    ("Alicante", "03016", 38.3570, -0.4560),
    ("Santa Pola", "03130", 38.1920, -0.5560),
    ("Torrevieja", "03181", 37.9790, -0.6800),
]
STREETS = [
    "Avinguda del Mar",
    "Carrer de la Platja",
    "Paseo Marítimo",
    "Calle de las Palmeras",
    "Avenida Mediterráneo",
    "Carrer del Port",
    "Calle Sol Naciente",
    "Avenida de la Costa Blanca",
    "Calle Gaviota",
    "Carrer dels Pescadors",
    "Calle del Faro",
    "Avenida de Europa",
]
HOTELS = [
    "Hotel Marina Sol",
    "Hotel Playa Dorada",
    "Hotel Costa Serena",
    "Hotel Las Arenas Beach",
    "Hotel Mirador del Mar",
    "Hotel Cala Blanca",
    "Hotel Puerto Azul",
    "Hotel Brisa Marina",
    "Hotel Altamar",
    "Hotel Levante Palace",
]
COMMUNITIES = [
    "Residencial Los Pinos",
    "Comunidad Mar Azul",
    "Urbanización El Palmeral",
    "Residencial Las Dunas",
    "Comunidad Jardines del Mar",
    "Residencial Bahía Serena",
    "Urbanización La Reserva",
    "Residencial Vista Alegre",
    "Comunidad Torre del Sol",
    "Residencial Miramar",
]
OTHERS = [
    "Club de Tenis Levante",
    "Gimnasio AquaFit",
    "Colegio Internacional Costa",
    "Villa Los Almendros",
    "Villa Mar y Sol",
    "Camping Playa Norte",
    "Balneario Las Termas",
    "Club Náutico Sur",
    "Polideportivo Municipal Alboraya",
]
POOL_NAMES = ["Main pool", "Children's pool", "Indoor pool", "Spa pool", "Rooftop pool", "Lap pool"]
ASSET_TYPES = {
    "Pump": ["Pentair SuperFlo VS", "Hayward MaxFlo XL", "AstralPool Victoria Plus"],
    "Sand filter": ["AstralPool Aster 750", "Hayward Pro Series 600", "Pentair Triton II"],
    "Heat pump": ["Zodiac Z550", "Fairland InverX 28", "Hayward EnergyLine Pro"],
    "Chlorinator": ["Zodiac TRi 22", "Hayward AquaRite", "AstralPool Elite Connect"],
    "Salt cell": ["Zodiac TRi cell 22", "Hayward T-Cell-15", "AstralPool Elite cell 25"],
    "Dosing controller": ["Bayrol PoolManager", "Seko Kontrol 800", "Zodiac pH Expert"],
    "Pool cover": ["AquaCover Auto", "Abriblue Lamas", "Coverstar Eclipse"],
    "Underwater lighting": ["AstralPool LumiPlus 2.0", "Hayward ColorLogic", "Pentair IntelliBrite"],
    "Robot cleaner": ["Dolphin S300i", "Zodiac Vortex 4", "Hayward AquaVac 500"],
}
REMARKS = {
    m.Severity.CRITICAL: [
        "Main drain cover cracked",
        "Exposed wiring at light niche",
        "Pump motor overheating",
        "Chlorine leak at dosing line",
    ],
    m.Severity.NON_CONFORMANCE: [
        "Missing depth markings",
        "Safety signage faded",
        "Water test log incomplete",
        "Fence gate not self-closing",
    ],
    m.Severity.NON_CRITICAL: [
        "Tile grout worn at waterline",
        "Skimmer lid chipped",
        "Pressure gauge unreadable",
        "Ladder rung loose",
    ],
    m.Severity.RECOMMENDATION: [
        "Upgrade to variable-speed pump",
        "Add automatic cover",
        "Replace sand with glass media",
        "Install LED lighting",
    ],
    m.Severity.INFORMATION: [
        "Filter backwashed during visit",
        "Water balance within range",
        "Cover seasonal storage noted",
        "Heat pump serviced",
    ],
}
SEVERITY_WEIGHTS = [10, 15, 30, 25, 20]
SERVICE_CALLS = [
    "Cloudy water after storm",
    "Pump making noise",
    "Heater not reaching temperature",
    "Leak near skimmer",
    "Lights not working",
    "Chlorinator error code",
]
QUOTE_TITLES = {
    m.QuoteKind.DEFECT: ["Replace drain cover", "Rewire light niche", "Repair fence gate", "Regrout waterline tiles"],
    m.QuoteKind.SERVICE: [
        "Annual maintenance plan",
        "Winterisation service",
        "Filter media replacement",
        "Energy audit",
    ],
}
INCIDENTS = [
    (m.IncidentCategory.WATER, "The water has turned green since the weekend and smells of chlorine."),
    (m.IncidentCategory.ENGINE, "The pump stops every few minutes and makes a loud humming noise."),
    (m.IncidentCategory.LEAK, "There is a wet patch next to the pump room and the level drops 2 cm a day."),
    (m.IncidentCategory.ELECTRICAL, "The underwater lights trip the breaker when switched on."),
    (m.IncidentCategory.CLEANING, "Leaves and sand at the bottom after the storm, the robot is not coping."),
    (m.IncidentCategory.OTHER, "A guest reported a sharp edge on the ladder of the children's pool."),
]
FIRST_NAMES = [
    "Carla",
    "Hugo",
    "Lucía",
    "Mateo",
    "Sofía",
    "Pablo",
    "Elena",
    "Javier",
    "Marta",
    "Diego",
    "Nuria",
    "Álvaro",
]
LAST_NAMES = [
    "Pérez",
    "Navarro",
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Romero",
    "Torres",
    "Ruiz",
    "Ferrer",
    "Vidal",
    "Soler",
]
