/**
 * Word lists for generated tickets. Names include non-ASCII and non-Latin scripts so every
 * run exercises UTF-8 handling end to end. Each name comes with the ASCII form used in e-mail
 * addresses.
 */

export interface Technician {
  id: string;
  /** Multiplies the typical repair duration: below 1 is faster than the median technician. */
  speed: number;
}

export const TECHNICIANS: readonly Technician[] = [
  { id: "tech_amelia", speed: 0.6 },
  { id: "tech_bongani", speed: 0.85 },
  { id: "tech_chen", speed: 1 },
  { id: "tech_dario", speed: 1.15 },
  { id: "tech_eva", speed: 1.4 },
  { id: "tech_farid", speed: 1.9 },
];

export type ServiceLocation = "instore" | "offsite" | "remote";

/** Median repair duration in hours per service location, and how often each location occurs. */
export const LOCATIONS: readonly (readonly [ServiceLocation, number])[] = [
  ["instore", 60],
  ["offsite", 25],
  ["remote", 15],
];

export const MEDIAN_REPAIR_HOURS: Record<ServiceLocation, number> = {
  instore: 30,
  offsite: 80,
  remote: 4,
};

/** Statuses a job has before it is closed; the custom ones show that status is free-form. */
export const OPEN_STATUSES: readonly (readonly [string, number])[] = [
  ["Open", 35],
  ["In Progress", 35],
  ["Awaiting Parts", 15],
  ["Waiting for Customer", 10],
  ["Ready for Pickup", 5],
];

export const FIRST_NAMES: readonly (readonly [string, string])[] = [
  ["Olivia", "olivia"],
  ["Noah", "noah"],
  ["Amara", "amara"],
  ["Liam", "liam"],
  ["Zoë", "zoe"],
  ["Łukasz", "lukasz"],
  ["Siobhán", "siobhan"],
  ["José", "jose"],
  ["Priya", "priya"],
  ["Mateus", "mateus"],
  ["Chloé", "chloe"],
  ["Oskar", "oskar"],
  ["Fatima", "fatima"],
  ["Björn", "bjorn"],
  ["Hannah", "hannah"],
  ["Kwame", "kwame"],
];

export const LAST_NAMES: readonly (readonly [string, string])[] = [
  ["Smith", "smith"],
  ["Müller", "mueller"],
  ["Żak", "zak"],
  ["O'Connor", "oconnor"],
  ["García", "garcia"],
  ["Nguyen", "nguyen"],
  ["Patel", "patel"],
  ["Kowalski", "kowalski"],
  ["Dubois", "dubois"],
  ["Johansson", "johansson"],
  ["Mensah", "mensah"],
  ["Van der Berg", "vanderberg"],
];

/** Whole names in scripts where "first last" with a space would be wrong. */
export const WHOLE_NAMES: readonly (readonly [string, string])[] = [
  ["山田太郎", "yamada.taro"],
  ["王芳", "wang.fang"],
  ["김민준", "kim.minjun"],
  ["Αλέξανδρος Παπαδόπουλος", "alexandros.papadopoulos"],
  ["Дмитрий Иванов", "dmitry.ivanov"],
];

export const EMAIL_DOMAINS: readonly string[] = [
  "example.com",
  "example.org",
  "mail.example.net",
  "example.co.uk",
];

/** Phone number patterns; each # becomes a random digit. Numbers use reserved fictional ranges where one exists. */
export const PHONE_PATTERNS: readonly string[] = [
  "+44 7700 900###",
  "+1 (555) 01#-####",
  "+49 151 ########",
  "+81 90-####-####",
  "+48 512 ### ###",
  "07700 900###",
];

export const DEVICES: readonly (readonly [string, string])[] = [
  ["iPhone 13 Pro", "Phone"],
  ["iPhone 15", "Phone"],
  ["Galaxy S22", "Phone"],
  ["Pixel 8", "Phone"],
  ["MacBook Air M2", "Laptop"],
  ["ThinkPad X1 Carbon Gen 11", "Laptop"],
  ["Dell XPS 15", "Laptop"],
  ["iPad Air (5th generation)", "Tablet"],
  ["Surface Pro 9", "Tablet"],
  ["PlayStation 5", "Console"],
  ["Nintendo Switch OLED", "Console"],
  ["iMac 24\"", "Desktop"],
];

export const SERVICES: readonly string[] = [
  "Screen replacement",
  "Battery replacement",
  "Water damage assessment",
  "Data recovery",
  "Keyboard replacement",
  "Virus and malware removal",
  "Charging port repair",
  "Operating system reinstall",
  "Diagnostics",
  "HDMI port repair",
];

export const NOTE_SENTENCES: readonly string[] = [
  "Customer reports the device shuts down at 20% battery.",
  "Cracked glass in the top-left corner; touch still works.",
  "Liquid contact indicator is red, customer says it fell in the sink.",
  "Backed up photos to the customer's external drive before starting.",
  "Ordered replacement part from supplier, ETA 3–5 working days.",
  "Customer asked for a call before any work over £150.",
  "Passcode provided in person, not written down.",
  "Fan noise under load; cleaned dust and replaced thermal paste.",
  "Kunde wünscht Rückruf nach 17 Uhr.",
  "Customer dropped it at the café next door 🙃 — frame slightly bent.",
  "Tested all ports after reassembly, all working.",
  "Quote sent by e-mail, waiting for approval.",
  "お客様は午前中の連絡を希望。",
];

export const STREETS: readonly string[] = [
  "High Street",
  "Harbour Road",
  "Kingsway",
  "Rue de la Paix",
  "Königstraße",
  "ul. Żelazna",
  "Calle Mayor",
  "Baker Street",
];

export const CITIES: readonly string[] = [
  "Leeds LS1 4DY",
  "Bristol BS1 5TR",
  "Manchester M1 1AE",
  "Paris 75002",
  "Stuttgart 70173",
  "Warszawa 00-844",
  "Madrid 28013",
];

/** Store branches that take in-store repairs. */
export const BRANCH_ADDRESSES: readonly string[] = [
  "Unit 4, 18 Market Street, Leeds LS1 6DT",
  "27 Park Street, Bristol BS1 5NH",
  "112 Deansgate, Manchester M3 2BQ",
];

/** Parts and extras sold with a repair, with unit prices in the organisation's currency. */
export const ADDITIONAL_ITEMS: readonly (readonly [string, string, number])[] = [
  ["SKU-GLASS-01", "Tempered glass screen protector", 14.99],
  ["SKU-CASE-07", "Protective case", 24.5],
  ["SKU-CBL-USBC", "USB-C cable, 1 m", 9.99],
  ["SKU-BAT-STD", "Replacement battery", 59],
  ["SKU-PASTE", "Thermal paste application", 12],
  ["SKU-CLEAN", "Internal clean", 20],
];
