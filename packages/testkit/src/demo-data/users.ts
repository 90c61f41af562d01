/**
 * The Bitrix24 side the recordings assume (fixtures/asterisk/README.md): users 1..6 with inner
 * numbers 101..106. Extensions 501/502 (the support group) are not CRM users.
 */
export const DEMO_USERS = [
  { ID: 1, NAME: "Ivan", LAST_NAME: "Petrov", UF_PHONE_INNER: "101", ACTIVE: true },
  { ID: 2, NAME: "Maria", LAST_NAME: "Ivanova", UF_PHONE_INNER: "102", ACTIVE: true },
  { ID: 3, NAME: "Sergey", LAST_NAME: "Smirnov", UF_PHONE_INNER: "103", ACTIVE: true },
  { ID: 4, NAME: "Olga", LAST_NAME: "Kuznetsova", UF_PHONE_INNER: "104", ACTIVE: true },
  { ID: 5, NAME: "Dmitry", LAST_NAME: "Popov", UF_PHONE_INNER: "105", ACTIVE: true },
  { ID: 6, NAME: "Anna", LAST_NAME: "Sokolova", UF_PHONE_INNER: "106", ACTIVE: true },
];

/** The known client most recordings call from. */
export const DEMO_CONTACTS = [{ ID: 1, NAME: "Known", LAST_NAME: "Client", ASSIGNED_BY_ID: 1, PHONE: [{ VALUE: "+79161234567", VALUE_TYPE: "WORK" }] }];
