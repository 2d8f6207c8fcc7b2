/** Name parts for generated people; a mix, because the demo school is in Seoul and takes students from everywhere. */
// prettier-ignore
export const FIRST_NAMES: readonly string[] = [
  'Minjun', 'Seoyeon', 'Jiho', 'Haeun', 'Doyun', 'Jiwoo', 'Seojun', 'Yuna', 'Hajun', 'Soyul',
  'Eunwoo', 'Chaewon', 'Jihoon', 'Sua', 'Taeyang', 'Dahyun', 'Hyunwoo', 'Yerin', 'Junseo', 'Minseo',
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Ethan', 'Sophia', 'Lucas', 'Mia', 'Mateo',
  'Isabella', 'James', 'Amelia', 'Benjamin', 'Charlotte', 'Daniel', 'Harper', 'Samuel', 'Grace', 'Leo',
  'Hana', 'Ren', 'Yui', 'Haruto', 'Mei', 'Wei', 'Xin', 'Arjun', 'Priya', 'Ananya',
  'Fatima', 'Omar', 'Layla', 'Youssef', 'Amara', 'Kwame', 'Sofia', 'Diego', 'Camila', 'Andrei',
];

// prettier-ignore
export const LAST_NAMES: readonly string[] = [
  'Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang', 'Cho', 'Yoon', 'Jang', 'Lim',
  'Han', 'Oh', 'Seo', 'Shin', 'Kwon', 'Hwang', 'Ahn', 'Song', 'Yoo', 'Hong',
  'Smith', 'Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Martinez', 'Wilson', 'Anderson',
  'Taylor', 'Thomas', 'Moore', 'Clark', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott',
  'Tanaka', 'Sato', 'Suzuki', 'Nakamura', 'Chen', 'Wang', 'Liu', 'Zhang', 'Patel', 'Sharma',
  'Singh', 'Nguyen', 'Tran', 'Hassan', 'Ali', 'Okafor', 'Mensah', 'Silva', 'Rossi', 'Novak',
];
