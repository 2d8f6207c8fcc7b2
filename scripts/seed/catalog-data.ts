/**
 * The demo catalogue: 14 majors, 24 course titles each, six per year level (100- to 400-level), so the
 * seed has 336 courses whose codes and titles look like a real university's.
 */
export interface MajorSpec {
  readonly code: string;
  readonly name: string;
  /** Building code used for this department's rooms, e.g. 'ENG 204'. */
  readonly building: string;
  /** Titles by year level: index 0 holds the 100-level courses. */
  readonly titles: readonly [readonly string[], readonly string[], readonly string[], readonly string[]];
}

// prettier-ignore
export const MAJORS: readonly MajorSpec[] = [
  {
    code: 'CS',
    name: 'Computer Science',
    building: 'ENG',
    titles: [
      ['Introduction to Programming', 'Programming with Data', 'Discrete Structures', 'Computer Science Principles', 'Introduction to Web Development', 'Problem Solving with Python'],
      ['Data Structures', 'Computer Organization', 'Object-Oriented Design', 'Systems Programming in C', 'Theory of Computation', 'Software Tools and Practices'],
      ['Algorithms', 'Operating Systems', 'Database Systems', 'Computer Networks', 'Programming Languages', 'Software Engineering'],
      ['Distributed Systems', 'Compilers', 'Machine Learning', 'Computer Security', 'Computer Graphics', 'Senior Capstone Project'],
    ],
  },
  {
    code: 'MATH',
    name: 'Mathematics',
    building: 'MTH',
    titles: [
      ['Calculus I', 'Calculus II', 'Precalculus', 'Statistics for the Sciences', 'Mathematics for Social Sciences', 'Introduction to Proofs'],
      ['Multivariable Calculus', 'Linear Algebra', 'Differential Equations', 'Discrete Mathematics', 'Probability', 'Mathematical Modeling'],
      ['Real Analysis I', 'Abstract Algebra I', 'Complex Variables', 'Numerical Analysis', 'Number Theory', 'Mathematical Statistics'],
      ['Real Analysis II', 'Abstract Algebra II', 'Topology', 'Partial Differential Equations', 'Combinatorics', 'Seminar in Mathematics'],
    ],
  },
  {
    code: 'PHYS',
    name: 'Physics',
    building: 'SCI',
    titles: [
      ['General Physics I: Mechanics', 'General Physics II: Electricity and Magnetism', 'Physics for the Life Sciences', 'Astronomy: The Solar System', 'Conceptual Physics', 'Physics Laboratory I'],
      ['Waves and Optics', 'Modern Physics', 'Mathematical Methods for Physics', 'Classical Mechanics', 'Electronics for Scientists', 'Physics Laboratory II'],
      ['Electromagnetic Theory', 'Quantum Mechanics I', 'Thermal and Statistical Physics', 'Computational Physics', 'Astrophysics', 'Advanced Physics Laboratory'],
      ['Quantum Mechanics II', 'Solid State Physics', 'Particle Physics', 'General Relativity', 'Plasma Physics', 'Senior Thesis in Physics'],
    ],
  },
  {
    code: 'CHEM',
    name: 'Chemistry',
    building: 'CHM',
    titles: [
      ['General Chemistry I', 'General Chemistry II', 'Chemistry in Everyday Life', 'General Chemistry Laboratory', 'Introduction to Environmental Chemistry', 'Chemical Principles'],
      ['Organic Chemistry I', 'Organic Chemistry II', 'Analytical Chemistry', 'Organic Chemistry Laboratory', 'Inorganic Chemistry I', 'Quantitative Analysis'],
      ['Physical Chemistry I', 'Physical Chemistry II', 'Biochemistry', 'Instrumental Analysis', 'Inorganic Chemistry II', 'Polymer Chemistry'],
      ['Medicinal Chemistry', 'Advanced Organic Synthesis', 'Computational Chemistry', 'Spectroscopy', 'Materials Chemistry', 'Chemistry Research Seminar'],
    ],
  },
  {
    code: 'BIO',
    name: 'Biology',
    building: 'LSC',
    titles: [
      ['Principles of Biology I', 'Principles of Biology II', 'Human Biology', 'Biology Laboratory', 'Introduction to Ecology', 'Biodiversity'],
      ['Genetics', 'Cell Biology', 'Microbiology', 'Evolution', 'Anatomy and Physiology I', 'Anatomy and Physiology II'],
      ['Molecular Biology', 'Developmental Biology', 'Immunology', 'Neurobiology', 'Plant Biology', 'Bioinformatics'],
      ['Cancer Biology', 'Virology', 'Conservation Biology', 'Genomics', 'Marine Biology', 'Senior Seminar in Biology'],
    ],
  },
  {
    code: 'ECON',
    name: 'Economics',
    building: 'SSB',
    titles: [
      ['Principles of Microeconomics', 'Principles of Macroeconomics', 'Economics of Everyday Life', 'Introduction to Economic Statistics', 'Global Economic Issues', 'Personal Finance'],
      ['Intermediate Microeconomics', 'Intermediate Macroeconomics', 'Econometrics I', 'Money and Banking', 'Economic History', 'Mathematical Economics'],
      ['Game Theory', 'Labor Economics', 'International Trade', 'Public Finance', 'Development Economics', 'Industrial Organization'],
      ['Behavioral Economics', 'Econometrics II', 'Financial Economics', 'Environmental Economics', 'Health Economics', 'Senior Seminar in Economics'],
    ],
  },
  {
    code: 'PSY',
    name: 'Psychology',
    building: 'SSB',
    titles: [
      ['Introduction to Psychology', 'Psychology of Everyday Life', 'Research Methods in Psychology', 'Statistics for Psychology', 'Lifespan Development', 'Psychology of Personality'],
      ['Cognitive Psychology', 'Social Psychology', 'Developmental Psychology', 'Abnormal Psychology', 'Biological Psychology', 'Health Psychology'],
      ['Sensation and Perception', 'Learning and Memory', 'Cognitive Neuroscience', 'Clinical Psychology', 'Industrial-Organizational Psychology', 'Psychology of Language'],
      ['Advanced Research Methods', 'Psychopharmacology', 'Cross-Cultural Psychology', 'Judgment and Decision Making', 'Positive Psychology', 'Senior Thesis in Psychology'],
    ],
  },
  {
    code: 'HIST',
    name: 'History',
    building: 'HUM',
    titles: [
      ['World History to 1500', 'World History since 1500', 'American History to 1877', 'American History since 1877', 'History of East Asia', 'Introduction to Historical Thinking'],
      ['Ancient Greece and Rome', 'Medieval Europe', 'The Age of Revolutions', 'Modern Korea', 'History of Science', 'Colonial Latin America'],
      ['The First World War', 'The Second World War', 'The Cold War', 'History of Capitalism', 'Modern Japan', 'The Silk Roads'],
      ['Historiography', 'Public History', 'History of Medicine', 'Empires and Decolonization', 'Oral History Workshop', 'Senior Seminar in History'],
    ],
  },
  {
    code: 'ENGL',
    name: 'English Literature',
    building: 'HUM',
    titles: [
      ['Introduction to Literature', 'Academic Writing', 'Introduction to Creative Writing', 'Reading Poetry', 'Introduction to Fiction', 'Literature and Film'],
      ['British Literature to 1800', 'British Literature since 1800', 'American Literature I', 'American Literature II', 'Shakespeare', 'Fiction Workshop'],
      ['The Victorian Novel', 'Modernism', 'Postcolonial Literature', 'Literary Theory', 'Poetry Workshop', 'Romantic Poetry'],
      ['Advanced Fiction Workshop', 'Chaucer', 'Contemporary American Fiction', 'Milton', 'Digital Humanities', 'Senior Seminar in Literature'],
    ],
  },
  {
    code: 'EE',
    name: 'Electrical Engineering',
    building: 'ENG',
    titles: [
      ['Introduction to Electrical Engineering', 'Engineering Computation', 'Circuits I', 'Digital Logic Design', 'Introduction to Engineering Design', 'Electrical Engineering Laboratory I'],
      ['Circuits II', 'Signals and Systems', 'Microcontrollers', 'Electronic Devices', 'Electromagnetics I', 'Electrical Engineering Laboratory II'],
      ['Analog Electronics', 'Digital Signal Processing', 'Control Systems', 'Communication Systems', 'Computer Architecture', 'Power Systems'],
      ['VLSI Design', 'Wireless Communications', 'Power Electronics', 'Embedded Systems', 'Robotics', 'Senior Design Project'],
    ],
  },
  {
    code: 'ME',
    name: 'Mechanical Engineering',
    building: 'MEB',
    titles: [
      ['Introduction to Mechanical Engineering', 'Engineering Graphics', 'Statics', 'Materials Science', 'Computer-Aided Design', 'Manufacturing Processes'],
      ['Dynamics', 'Mechanics of Materials', 'Thermodynamics I', 'Fluid Mechanics', 'Mechanical Engineering Laboratory', 'Engineering Mathematics'],
      ['Heat Transfer', 'Machine Design', 'Thermodynamics II', 'Mechanical Vibrations', 'Finite Element Analysis', 'Mechatronics'],
      ['Internal Combustion Engines', 'Renewable Energy Systems', 'Aerodynamics', 'Biomechanics', 'HVAC Design', 'Capstone Design'],
    ],
  },
  {
    code: 'BUS',
    name: 'Business Administration',
    building: 'BUS',
    titles: [
      ['Introduction to Business', 'Financial Accounting', 'Managerial Accounting', 'Business Communication', 'Business Statistics', 'Introduction to Entrepreneurship'],
      ['Principles of Marketing', 'Principles of Management', 'Corporate Finance', 'Business Law', 'Organizational Behavior', 'Operations Management'],
      ['Investments', 'Consumer Behavior', 'Human Resource Management', 'Supply Chain Management', 'Business Analytics', 'International Business'],
      ['Strategic Management', 'Mergers and Acquisitions', 'Digital Marketing', 'Venture Capital', 'Negotiation', 'Business Policy Capstone'],
    ],
  },
  {
    code: 'PHIL',
    name: 'Philosophy',
    building: 'HUM',
    titles: [
      ['Introduction to Philosophy', 'Introduction to Ethics', 'Critical Thinking', 'Introduction to Logic', 'Philosophy of Religion', 'Ancient Philosophy'],
      ['Modern Philosophy', 'Political Philosophy', 'Bioethics', 'Philosophy of Mind', 'Symbolic Logic', 'Existentialism'],
      ['Epistemology', 'Metaphysics', 'Philosophy of Science', 'Philosophy of Language', 'Aesthetics', 'Chinese Philosophy'],
      ['Kant', 'Wittgenstein', 'Topics in Ethics', 'Philosophy of Mathematics', 'Phenomenology', 'Senior Seminar in Philosophy'],
    ],
  },
  {
    code: 'POLS',
    name: 'Political Science',
    building: 'SSB',
    titles: [
      ['Introduction to Political Science', 'American Government', 'Comparative Politics', 'International Relations', 'Introduction to Political Theory', 'Politics and the Media'],
      ['Public Policy', 'Research Methods in Political Science', 'Political Parties and Elections', 'Constitutional Law', 'East Asian Politics', 'European Politics'],
      ['International Security', 'Political Economy', 'Human Rights', 'Democratization', 'Congress and the Presidency', 'Global Environmental Politics'],
      ['Foreign Policy Analysis', 'Nationalism', 'Conflict and Peacebuilding', 'Politics of Development', 'Public Opinion', 'Senior Seminar in Political Science'],
    ],
  },
];
