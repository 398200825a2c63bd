// Word lists for believable book metadata. Textbook titles and publishers are chosen so the
// daemon's keyword rules (docs/analytics.md: Pearson, Cengage, "college"...) fire on them.

export const BOOKS_ROOT = { catId: 283155, name: 'Books' } as const;

export interface Subcategory {
  catId: number;
  name: string;
}

export const TEXTBOOKS: Subcategory = { catId: 465600, name: 'New, Used & Rental Textbooks' };

export const TEXTBOOK_SUBJECTS: readonly Subcategory[] = [
  { catId: 468216, name: 'Medicine & Health Sciences' },
  { catId: 468204, name: 'Business & Finance' },
  { catId: 468220, name: 'Science & Mathematics' },
  { catId: 468206, name: 'Engineering' },
  { catId: 468218, name: 'Social Sciences' },
];

export const TRADE_CATEGORIES: readonly Subcategory[] = [
  { catId: 1, name: 'Arts & Photography' },
  { catId: 2, name: 'Biographies & Memoirs' },
  { catId: 3, name: 'Business & Money' },
  { catId: 4, name: "Children's Books" },
  { catId: 5, name: 'Computers & Technology' },
  { catId: 6, name: 'Cookbooks, Food & Wine' },
  { catId: 9, name: 'History' },
  { catId: 10, name: 'Health, Fitness & Dieting' },
  { catId: 17, name: 'Literature & Fiction' },
  { catId: 18, name: 'Mystery, Thriller & Suspense' },
  { catId: 27, name: 'Travel' },
  { catId: 48, name: 'Crafts, Hobbies & Home' },
  { catId: 75, name: 'Science & Math' },
  { catId: 4736, name: 'Self-Help' },
];

export const TEXTBOOK_PUBLISHERS = ['Pearson', 'Cengage Learning', 'McGraw-Hill Education', 'Wiley', 'Macmillan Learning', 'SAGE Publications'] as const;
export const TRADE_PUBLISHERS = ['Penguin Books', 'Vintage', 'HarperCollins', 'Simon & Schuster', 'Random House', 'Scribner', 'Del Rey', 'Ten Speed Press', "O'Reilly Media", 'Chronicle Books'] as const;

export const TEXTBOOK_TOPICS = [
  'Calculus: Early Transcendentals',
  'Principles of Microeconomics',
  'Campbell Biology',
  'Organic Chemistry',
  'Fundamentals of Nursing',
  'Financial Accounting',
  'University Physics',
  'Psychology: An Introduction',
  'Statistics for Business and Economics',
  'Human Anatomy & Physiology',
  'Marketing Management',
  'Introduction to Algorithms',
  'Sociology: A Down-to-Earth Approach',
  'College Algebra',
  'Criminal Justice Today',
] as const;

export const TITLE_ADJECTIVES = ['Silent', 'Hidden', 'Last', 'Broken', 'Golden', 'Lost', 'Midnight', 'Wild', 'Quiet', 'Northern', 'Secret', 'Burning', 'Winter', 'Distant', 'Little'] as const;
export const TITLE_NOUNS = ['River', 'Garden', 'Kingdom', 'Orchard', 'Harbor', 'Letters', 'House', 'Map', 'Lighthouse', 'Forest', 'Cartographer', 'Season', 'Bridge', 'Island', 'Kitchen'] as const;
export const NONFICTION_TOPICS = [
  'Habits',
  'Negotiation',
  'Bread Baking',
  'Home Gardening',
  'Woodworking',
  'Leadership',
  'Investing',
  'Photography',
  'Sourdough',
  'Birdwatching',
  'Python Programming',
  'World War II',
  'Mindfulness',
  'Road Trips',
  'Watercolor',
] as const;

export const FIRST_NAMES = ['Anna', 'James', 'Maria', 'David', 'Sofia', 'Robert', 'Elena', 'Michael', 'Grace', 'Thomas', 'Laura', 'Daniel', 'Ines', 'Peter', 'Hannah', 'Samuel', 'Clara', 'George'] as const;
export const LAST_NAMES = ['Whitfield', 'Moreno', 'Nakamura', 'Okafor', 'Lindqvist', 'Brennan', 'Castillo', 'Hargrove', 'Petrov', 'Adeyemi', 'Sato', 'Fitzgerald', 'Kowalski', 'Delgado', 'Ashworth', 'Ibrahim'] as const;

export const SELLER_WORDS = ['Book', 'Page', 'Shelf', 'Reader', 'Chapter', 'Library', 'Spine', 'Ink', 'Paper', 'Attic'] as const;
export const SELLER_SUFFIXES = ['Depot', 'Traders', 'Outlet', 'Co', 'Finds', 'Resale', 'Books LLC', 'Warehouse', 'Emporium', 'Exchange'] as const;
