// French and English, switchable at run time. Every visible string goes through `t`.

export type Lang = "en" | "fr";

const en = {
  "login.title": "Recognised air picture",
  "login.name": "Name",
  "login.password": "Password",
  "login.submit": "Log in",
  "login.failed": "Wrong name or password",
  "tool.measure": "Measure",
  "tool.coverage": "Coverage",
  "tool.coverage.off": "off",
  "tool.theme": "Day / night",
  "tool.logout": "Log out",
  "tool.measure.hint": "Click two points on the map",
  "panel.track": "Track",
  "panel.sensors": "Contributing sensors",
  "panel.history": "History (altitude)",
  "table.title": "Tracks",
  "table.filter": "Filter: number, callsign, code",
  "table.id": "No.",
  "table.callsign": "Callsign",
  "table.mode3a": "Mode 3/A",
  "table.fl": "FL",
  "table.gs": "GS kt",
  "table.course": "Course",
  "sensors.title": "Sensors",
  "sensors.ok": "operating",
  "sensors.silent": "silent",
  "sensors.never": "not heard",
  "alerts.title": "Alerts",
  "alerts.none": "No alert",
  "alerts.ack": "Acknowledge",
  "alerts.acked": "acknowledged by",
  "link.up": "live",
  "link.down": "link lost",
  "tracks.count": "tracks",
  "field.position": "Position",
  "field.altitude": "Altitude",
  "field.speed": "Ground speed",
  "field.course": "Course",
  "field.vrate": "Vertical rate",
  "field.mode3a": "Mode 3/A",
  "field.modes": "Mode S",
  "field.callsign": "Callsign",
  "field.identity": "Identity",
  "field.quality": "Position σ",
  "field.updated": "Updated",
  "identity.pending": "pending",
  "identity.unknown": "unknown",
  "identity.assumed_friend": "assumed friend",
  "identity.friend": "friend",
  "identity.neutral": "neutral",
  "identity.suspect": "suspect",
  "identity.hostile": "hostile",
  "ident.title": "Identification",
  "ident.proposal": "vigie proposes",
  "ident.decided": "decided by",
  "ident.evidence": "Evidence",
  "ident.history": "Changes",
  "ident.set": "Set identity",
  "ident.note": "Note (optional)",
  "alert.emergency": "Emergency",
  "alert.airspace": "Airspace",
  "alert.transponder_off": "Transponder off",
  "alert.border_crossing": "Border crossing",
  "alert.code_change": "Code change",
  "alert.spoofing": "ADS-B spoofing",
  "alert.track_lost": "Track lost",
  "alert.sensor_lost": "Sensor lost",
  "alerts.state.raised": "new",
  "alerts.state.acknowledged": "acknowledged",
  "alerts.state.cleared": "cleared",
  "alerts.mute": "Sound off",
  "alerts.unmute": "Sound on",
  "threats.title": "Threats",
  "threats.none": "No track heading for a defended asset",
  "threats.track": "Track",
  "threats.asset": "Asset",
  "threats.cpa": "CPA",
  "threats.arrival": "Arrives",
  "ago": "s ago",
} as const;

type Key = keyof typeof en;

const fr: Record<Key, string> = {
  "login.title": "Situation aérienne générale",
  "login.name": "Nom",
  "login.password": "Mot de passe",
  "login.submit": "Connexion",
  "login.failed": "Nom ou mot de passe incorrect",
  "tool.measure": "Mesurer",
  "tool.coverage": "Couverture",
  "tool.coverage.off": "aucune",
  "tool.theme": "Jour / nuit",
  "tool.logout": "Déconnexion",
  "tool.measure.hint": "Cliquez deux points sur la carte",
  "panel.track": "Piste",
  "panel.sensors": "Capteurs contributeurs",
  "panel.history": "Historique (altitude)",
  "table.title": "Pistes",
  "table.filter": "Filtrer : numéro, indicatif, code",
  "table.id": "N°",
  "table.callsign": "Indicatif",
  "table.mode3a": "Mode 3/A",
  "table.fl": "FL",
  "table.gs": "Vs kt",
  "table.course": "Route",
  "sensors.title": "Capteurs",
  "sensors.ok": "en service",
  "sensors.silent": "muet",
  "sensors.never": "jamais reçu",
  "alerts.title": "Alertes",
  "alerts.none": "Aucune alerte",
  "alerts.ack": "Acquitter",
  "alerts.acked": "acquittée par",
  "link.up": "en direct",
  "link.down": "liaison perdue",
  "tracks.count": "pistes",
  "field.position": "Position",
  "field.altitude": "Altitude",
  "field.speed": "Vitesse sol",
  "field.course": "Route",
  "field.vrate": "Vitesse verticale",
  "field.mode3a": "Mode 3/A",
  "field.modes": "Mode S",
  "field.callsign": "Indicatif",
  "field.identity": "Identité",
  "field.quality": "σ position",
  "field.updated": "Mise à jour",
  "identity.pending": "en attente",
  "identity.unknown": "inconnue",
  "identity.assumed_friend": "présumée amie",
  "identity.friend": "amie",
  "identity.neutral": "neutre",
  "identity.suspect": "suspecte",
  "identity.hostile": "hostile",
  "ident.title": "Identification",
  "ident.proposal": "vigie propose",
  "ident.decided": "décidée par",
  "ident.evidence": "Éléments",
  "ident.history": "Changements",
  "ident.set": "Fixer l'identité",
  "ident.note": "Remarque (facultative)",
  "alert.emergency": "Urgence",
  "alert.airspace": "Espace aérien",
  "alert.transponder_off": "Transpondeur coupé",
  "alert.border_crossing": "Franchissement de frontière",
  "alert.code_change": "Changement de code",
  "alert.spoofing": "Leurrage ADS-B",
  "alert.track_lost": "Piste perdue",
  "alert.sensor_lost": "Capteur perdu",
  "alerts.state.raised": "nouvelle",
  "alerts.state.acknowledged": "acquittée",
  "alerts.state.cleared": "levée",
  "alerts.mute": "Son coupé",
  "alerts.unmute": "Son actif",
  "threats.title": "Menaces",
  "threats.none": "Aucune piste vers un point défendu",
  "threats.track": "Piste",
  "threats.asset": "Point défendu",
  "threats.cpa": "CPA",
  "threats.arrival": "Arrivée",
  "ago": "s",
};

const dictionaries: Record<Lang, Record<Key, string>> = { en, fr };
let lang: Lang = (localStorage.getItem("vigie.lang") as Lang) || "en";
const listeners: Array<() => void> = [];

export type { Key };

export function t(key: Key): string {
  return dictionaries[lang][key] ?? key;
}

export function currentLang(): Lang {
  return lang;
}

/** Re-labels every `data-i18n` element and tells the listeners. */
export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem("vigie.lang", next);
  document.documentElement.lang = next;
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n as Key);
  }
  for (const el of document.querySelectorAll<HTMLInputElement>("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder as Key);
  }
  for (const b of document.querySelectorAll<HTMLElement>("button.lang")) {
    b.classList.toggle("active", b.dataset.lang === next);
  }
  listeners.forEach((f) => f());
}

export function onLangChange(f: () => void): void {
  listeners.push(f);
}
